// tuning_cache.cpp: see tuning_cache.h. POSIX file calls (open/write/fsync/rename) for the atomic replace.
#include "tuning_cache.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace hv {
namespace {

constexpr const char* kMagic = "hipvision-tuning 1";

std::string sanitised(const std::string& s) {
    std::string out;
    for (char c : s) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                          c == '-' || c == '_';
        out += keep ? c : '_';
    }
    return out.empty() ? "unknown" : out;
}

// FNV-1a, 64 bit: the file name stays distinct when sanitising maps two identities to the same characters.
uint64_t fnv1a(const std::string& s) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h;
}

bool has_separator(const std::string& s) { return s.find_first_of("\t\n\r") != std::string::npos; }

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> fields;
    size_t start = 0;
    for (;;) {
        const size_t tab = line.find('\t', start);
        fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos) return fields;
        start = tab + 1;
    }
}

bool parse_int(const std::string& s, long long* v) {
    if (s.empty()) return false;
    errno = 0;
    char* end = nullptr;
    *v = std::strtoll(s.c_str(), &end, 10);
    return errno == 0 && *end == '\0';
}

bool parse_double(const std::string& s, double* v) {
    if (s.empty()) return false;
    errno = 0;
    char* end = nullptr;
    *v = std::strtod(s.c_str(), &end);
    return errno == 0 && *end == '\0' && *v >= 0;
}

bool write_all(int fd, const std::string& text) {
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += size_t(n);
    }
    return true;
}

}  // namespace

std::string tuning_file_name(const std::string& device, const std::string& library) {
    char hash[17];
    std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a(device + '\n' + library)));
    return sanitised(device) + "--" + sanitised(library) + "-" + hash + ".tsv";
}

std::string tuning_key(const char* op, std::initializer_list<int64_t> shape, const char* dtype, const char* layout) {
    std::string key = std::string(op) + "|";
    bool first = true;
    for (int64_t d : shape) {
        key += (first ? "" : "x") + std::to_string(d);
        first = false;
    }
    return key + "|" + dtype + "|" + layout;
}

TuningCache::TuningCache(std::string directory, std::string device, std::string library)
    : device_(std::move(device)), library_(std::move(library)) {
    if (has_separator(device_)) device_ = sanitised(device_);
    if (has_separator(library_)) library_ = sanitised(library_);
    if (!directory.empty()) path_ = (std::filesystem::path(directory) / tuning_file_name(device_, library_)).string();
}

std::vector<std::string> TuningCache::warnings() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return warnings_;
}

void TuningCache::warn(std::string text) { warnings_.push_back("tuning cache " + path_ + ": " + std::move(text)); }

// Reads the whole file into *out; false (with *why, "" when the file is simply absent) if it is unusable.
bool TuningCache::read_file(Entries* out, std::string* why) const {
    why->clear();
    std::ifstream in(path_, std::ios::binary);
    if (!in) {
        std::error_code ec;
        if (std::filesystem::exists(path_, ec)) *why = "cannot be opened for reading";
        return false;
    }
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
    if (lines.size() < 4 || lines[0] != kMagic) {
        *why = "not a hipvision-tuning 1 file";
        return false;
    }
    if (lines[1] != "device\t" + device_ || lines[2] != "library\t" + library_) {
        *why = "written for another device or library version";
        return false;
    }
    const std::vector<std::string> footer = split_tabs(lines.back());
    long long count = -1;
    if (footer.size() != 2 || footer[0] != "end" || !parse_int(footer[1], &count) ||
        count != static_cast<long long>(lines.size()) - 4) {
        *why = "truncated (no matching end line)";
        return false;
    }
    Entries entries;
    for (size_t i = 3; i + 1 < lines.size(); ++i) {
        const std::vector<std::string> f = split_tabs(lines[i]);
        long long id = 0, workspace = 0;
        double ms = 0;
        if (f.size() != 6 || f[0].empty() || f[1].empty() || !parse_int(f[2], &id) || !parse_int(f[3], &workspace) ||
            workspace < 0 || !parse_double(f[4], &ms)) {
            *why = "line " + std::to_string(i + 1) + " is malformed";
            return false;
        }
        entries[f[0]] = TuningEntry{f[1], id, uint64_t(workspace), ms, f[5]};
    }
    *out = std::move(entries);
    return true;
}

// Merges what is on disk now (another process may have added keys), then replaces the file atomically.
void TuningCache::write_file() {
    std::error_code ec;
    const std::filesystem::path target(path_);
    std::filesystem::create_directories(target.parent_path(), ec);
    if (ec) {
        warn("cannot create the directory (" + ec.message() + "); not written");
        return;
    }
    Entries on_disk;
    std::string why;
    if (read_file(&on_disk, &why))
        for (auto& [key, entry] : on_disk) entries_.emplace(key, std::move(entry));  // ours win on the same key

    std::ostringstream text;
    text << kMagic << "\ndevice\t" << device_ << "\nlibrary\t" << library_ << "\n";
    for (const auto& [key, e] : entries_) {
        char ms[32];
        std::snprintf(ms, sizeof ms, "%.6g", e.time_ms);
        text << key << '\t' << e.algorithm << '\t' << e.id << '\t' << e.workspace_bytes << '\t' << ms << '\t' << e.note
             << '\n';
    }
    text << "end\t" << entries_.size() << '\n';

    static std::atomic<unsigned> counter{0};
    const std::string temp = path_ + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        warn(std::string("cannot create ") + temp + " (" + std::strerror(errno) + "); not written");
        return;
    }
    const bool written = write_all(fd, text.str()) && ::fsync(fd) == 0;
    const bool closed = ::close(fd) == 0;
    if (!written || !closed || ::rename(temp.c_str(), path_.c_str()) != 0) {
        warn(std::string("cannot write (") + std::strerror(errno) + "); not written");
        ::unlink(temp.c_str());
    }
}

TuningEntry TuningCache::find(const std::string& key, const std::function<TuningEntry()>& finder, bool* from_cache) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!loaded_ && !path_.empty()) {
        loaded_ = true;
        std::string why;
        if (!read_file(&entries_, &why) && !why.empty()) warn(why + "; ignored, and rewritten with the next result");
    }
    if (auto it = entries_.find(key); it != entries_.end()) {
        *from_cache = true;
        return it->second;
    }
    TuningEntry e = finder();
    for (std::string* s : {&e.algorithm, &e.note})
        for (char& c : *s)
            if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    if (e.algorithm.empty()) e.algorithm = "unknown";
    *from_cache = false;
    entries_[key] = e;
    if (!path_.empty() && !has_separator(key)) write_file();
    return e;
}

}  // namespace hv
