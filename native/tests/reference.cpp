// reference.cpp: see reference.h.
#include "reference.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "check.h"

namespace hvt {

std::vector<double> ref_layer_norm(const std::vector<float>& x, const std::vector<float>* residual,
                                   const std::vector<float>& gamma, const std::vector<float>& beta, size_t rows,
                                   size_t cols, double eps, std::vector<double>* sum) {
    std::vector<double> y(rows * cols), s(rows * cols);
    for (size_t i = 0; i < rows * cols; ++i) s[i] = double(x[i]) + (residual ? double((*residual)[i]) : 0.0);
    for (size_t r = 0; r < rows; ++r) {
        const double* row = &s[r * cols];
        double mean = 0;
        for (size_t c = 0; c < cols; ++c) mean += row[c];
        mean /= double(cols);
        double var = 0;
        for (size_t c = 0; c < cols; ++c) var += (row[c] - mean) * (row[c] - mean);
        var /= double(cols);
        const double rstd = 1.0 / std::sqrt(var + eps);
        for (size_t c = 0; c < cols; ++c) {
            const double g = gamma.empty() ? 1.0 : gamma[c];
            const double b = beta.empty() ? 0.0 : beta[c];
            y[r * cols + c] = (row[c] - mean) * rstd * g + b;
        }
    }
    if (sum) *sum = s;
    return y;
}

bool expect_close(const std::string& what, const std::vector<float>& got, const std::vector<double>& want, double atol,
                  double rtol) {
    if (got.size() != want.size()) {
        HV_CHECK(got.size() == want.size()) << what << ": got " << got.size() << " values, want " << want.size();
        return false;
    }
    double max_delta = 0, delta2 = 0, want2 = 0;
    size_t bad = 0, first_bad = got.size();
    for (size_t i = 0; i < got.size(); ++i) {
        const double d = std::fabs(double(got[i]) - want[i]);
        max_delta = std::max(max_delta, std::isnan(d) ? INFINITY : d);
        delta2 += d * d;
        want2 += want[i] * want[i];
        if (!(d <= atol + rtol * std::fabs(want[i]))) {
            if (bad++ == 0) first_bad = i;
        }
    }
    if (bad == 0) return true;
    std::ostringstream pairs;
    pairs << std::setprecision(9);
    for (size_t i = first_bad, k = 0; i < got.size() && k < 4; ++i, ++k) pairs << " [" << i << "] " << got[i] << " vs " << want[i];
    HV_CHECK(bad == 0) << what << ": " << bad << " of " << got.size() << " outside atol " << atol << " rtol " << rtol
                       << "; max |d| " << max_delta << ", first bad " << first_bad << ":" << pairs.str()
                       << "; |d|/|want| " << std::sqrt(delta2 / std::max(want2, 1e-300));
    return false;
}

std::vector<float> random_floats(size_t n, float lo, float hi) {
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<float> v(n);
    for (auto& e : v) e = u(rng());
    return v;
}

}  // namespace hvt
