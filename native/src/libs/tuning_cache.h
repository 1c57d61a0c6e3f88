// tuning_cache.h: what a vendor library's find step chose, kept on disk so it runs once per shape per machine.
// One file per (device, library + version) in a directory the caller names (hv_context_options.tuning_cache_dir):
//   <dir>/<device>--<library>-<hash>.tsv   (names sanitised to [A-Za-z0-9._-]; the hash is of the exact identity)
// holding one line per key ("conv2d|<shape>|fp32|nhwc"): algorithm, vendor id, workspace bytes, measured ms, note.
//   hipvision-tuning 1
//   device	NVIDIA H200 sm_90
//   library	cudnn 90100
//   conv2d|1x3x600x600|64x3x3|...	cudnn:IMPLICIT_PRECOMP_GEMM	1	0	0.0841	
//   end	1
// The header names the identity again and the footer counts the lines, so a foreign, corrupt or truncated file is
// noticed: it is then ignored as a whole (a warning is recorded) and rewritten by the next store. A store re-reads
// the file, merges what another process added meanwhile, writes a temporary file beside it and renames it over the
// old one (atomic on POSIX): two processes never leave a torn file; when they race, the last rename wins.
// Nothing here touches a GPU; failures to read or write the directory are warnings, never errors (the cache only
// saves time).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace hv {

struct TuningEntry {
    std::string algorithm;        // "miopen:ConvBinWinogradRxSf2x3", "cudnn:IMPLICIT_PRECOMP_GEMM", "direct"
    int64_t id = -1;              // the vendor's algorithm or solution id (-1: none)
    uint64_t workspace_bytes = 0;
    double time_ms = 0;           // as the find step measured it (0: not measured)
    std::string note;             // why the direct kernel, when a vendor library declined the shape
};

class TuningCache {
public:
    // directory "": kept in memory only. device and library ("cudnn 90100") identify the file.
    TuningCache(std::string directory, std::string device, std::string library);

    // The entry for key: from memory, else from the file, else finder()'s, which is then stored and written.
    // *from_cache says whether finder was skipped. key and the entry's strings must not hold tabs or newlines.
    TuningEntry find(const std::string& key, const std::function<TuningEntry()>& finder, bool* from_cache);

    // The file this cache reads and writes ("" when memory only).
    const std::string& path() const { return path_; }

    // What went wrong with the file so far (ignored, unreadable, unwritable), oldest first.
    std::vector<std::string> warnings() const;

private:
    using Entries = std::map<std::string, TuningEntry>;
    bool read_file(Entries* out, std::string* why) const;
    void write_file();
    void warn(std::string text);

    std::string path_, device_, library_;
    mutable std::mutex mutex_;
    Entries entries_;
    bool loaded_ = false;
    std::vector<std::string> warnings_;
};

// "op|d0xd1x...|dtype|layout": the key of one op instance (shape as the op defines it, e.g. conv2d's
// batch, in, height, width, out, kernel, stride, padding).
std::string tuning_key(const char* op, std::initializer_list<int64_t> shape, const char* dtype, const char* layout);

// File name of a (device, library) pair inside the cache directory (tests check it differs per identity).
std::string tuning_file_name(const std::string& device, const std::string& library);

}  // namespace hv
