// Writing the report files: each is streamed to a temporary name and renamed into place, so a
// reader never sees half a report and a crash leaves the previous one.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#include "auditor/report.h"

namespace chipledger::audit {

namespace {

Status Errno(const std::string& what) {
  return Status::IOError(what + ": " + std::strerror(errno));
}

// fsync through a descriptor of its own: std::ofstream exposes none.
Status Sync(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Errno("open " + path);
  int synced = ::fsync(fd);
  Status status = synced == 0 ? Status::Ok() : Errno("fsync " + path);
  ::close(fd);
  return status;
}

}  // namespace

Status WriteFileAtomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write) {
  std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return Errno("create " + temp);
    write(out);
    out.close();
    if (!out) return Errno("write " + temp);
  }
  if (Status synced = Sync(temp, O_RDONLY); !synced.ok()) return synced;
  if (::rename(temp.c_str(), path.c_str()) != 0) return Errno("rename " + temp);
  std::string dir = std::filesystem::path(path).parent_path().string();
  return Sync(dir.empty() ? "." : dir, O_RDONLY | O_DIRECTORY);
}

Status WriteReportFiles(const std::string& dir, const Report& report) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return Status::IOError("--out " + dir + ": " + error.message());
  using Writer = std::function<void(std::ostream&)>;
  const std::pair<const char*, Writer> files[] = {
      {"/report.json", [&](std::ostream& out) { WriteReportJson(report, out); }},
      {"/findings.csv", [&](std::ostream& out) { WriteFindingsCsv(report, out); }},
      {"/report.html", [&](std::ostream& out) { out << ReportToHtml(report); }},
  };
  for (const auto& [name, write] : files) {
    if (Status written = WriteFileAtomically(dir + name, write); !written.ok()) {
      return Status::IOError("--out " + dir + ": " + written.message());
    }
  }
  return Status::Ok();
}

}  // namespace chipledger::audit
