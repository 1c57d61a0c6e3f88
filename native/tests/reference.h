// reference.h: float64 oracles written like the formula, and the tolerance comparison of STYLE.md.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace hvt {

// torch.nn.LayerNorm over the last dimension (biased variance), on s = x + residual when one is given.
// Empty gamma/beta mean 1 and 0. Returns y; `sum` (if not null) receives s.
std::vector<double> ref_layer_norm(const std::vector<float>& x, const std::vector<float>* residual,
                                   const std::vector<float>& gamma, const std::vector<float>& beta, size_t rows,
                                   size_t cols, double eps, std::vector<double>* sum = nullptr);

// |got − want| ≤ atol + rtol·|want| everywhere; on failure a check fails with max |Δ|, the first bad
// index, a few pairs and ‖Δ‖/‖want‖. Returns whether it passed.
bool expect_close(const std::string& what, const std::vector<float>& got, const std::vector<double>& want, double atol,
                  double rtol);

std::vector<float> random_floats(size_t n, float lo, float hi);

}  // namespace hvt
