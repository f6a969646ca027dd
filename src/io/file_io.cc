#include "io/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "util/strings.h"
#include "util/uuid.h"

namespace faceberg::io {

namespace fs = std::filesystem;

Result<std::string> InputFile::ReadTail(uint64_t length) {
  ASSIGN_OR_RETURN(uint64_t size, Size());
  uint64_t n = std::min(size, length);
  return ReadAt(size - n, n);
}

Result<std::string> InputFile::ReadAll(uint64_t max_size) {
  ASSIGN_OR_RETURN(uint64_t size, Size());
  if (size > max_size) {
    return InvalidArgument("{} is {} bytes, more than the {} allowed", location(), size, max_size);
  }
  return ReadAt(0, size);
}

Result<std::string> MemoryInputFile::ReadAt(uint64_t offset, uint64_t length) {
  if (offset > data_.size() || length > data_.size() - offset) {
    return Corrupt("{}: read of {} bytes at {} passes the end ({} bytes)", location_, length,
                   offset, data_.size());
  }
  return data_.substr(offset, length);
}

std::string LocalPath(std::string_view location) {
  if (StartsWith(location, "file://")) location.remove_prefix(7);
  return std::string(location);
}

Result<std::optional<std::string>> FileIO::LocalPathOf(std::string_view location) const {
  if (StartsWith(location, "file://") || location.find("://") == std::string_view::npos) {
    return std::optional<std::string>(LocalPath(location));
  }
  return std::optional<std::string>();
}

std::string JoinPath(std::string_view base, std::string_view child) {
  if (base.empty()) return std::string(child);
  while (!base.empty() && base.back() == '/' && base.size() > 1) base.remove_suffix(1);
  while (!child.empty() && child.front() == '/') child.remove_prefix(1);
  if (base == "/") return "/" + std::string(child);
  return std::string(base) + "/" + std::string(child);
}

Status ValidateTableLocation(std::string_view location) {
  const size_t scheme = location.find("://");
  if (scheme == std::string_view::npos && !StartsWith(location, "/")) {
    return InvalidArgument(
        "table location '{}' is relative: give an absolute path or a URI such as "
        "file:///data/warehouse/db/t, or leave it out for the catalog's default",
        location);
  }
  const std::string_view path =
      scheme == std::string_view::npos ? location : location.substr(scheme + 3);
  for (const std::string& segment : Split(path, '/')) {
    if (segment == "..") {
      return InvalidArgument(
          "table location '{}' has a '..' segment: give the folder itself, or leave the location "
          "out for the catalog's default",
          location);
    }
  }
  return Status::OK();
}

namespace {

Status ErrnoStatus(std::string_view what, const std::string& path) {
  int err = errno;
  if (err == ENOENT) return NotFound("{}: {} does not exist", what, path);
  if (err == EEXIST) return AlreadyExists("{}: {} already exists", what, path);
  if (err == EACCES || err == EPERM) {
    return PermissionDenied("{}: no permission for {}", what, path);
  }
  return IOError("{} {}: {}", what, path, std::strerror(err));
}

// Owns a POSIX file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

class LocalInputFile final : public InputFile {
 public:
  LocalInputFile(std::string location, int fd, uint64_t size)
      : location_(std::move(location)), fd_(fd), size_(size) {}
  const std::string& location() const override { return location_; }
  Result<uint64_t> Size() override { return size_; }
  Result<std::string> ReadAt(uint64_t offset, uint64_t length) override {
    if (offset > size_ || length > size_ - offset) {
      return Corrupt("{}: read of {} bytes at offset {} passes the end of the file ({} bytes)",
                     location_, length, offset, size_);
    }
    std::string out(length, '\0');
    uint64_t done = 0;
    while (done < length) {
      ssize_t n =
          ::pread(fd_.get(), out.data() + done, length - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("cannot read", location_);
      }
      if (n == 0) return Corrupt("{}: file shrank while reading", location_);
      done += static_cast<uint64_t>(n);
    }
    return out;
  }

 private:
  std::string location_;
  Fd fd_;
  uint64_t size_;
};

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot write", path);
    }
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<InputFile>> LocalFileIO::NewInputFile(std::string_view location) {
  std::string path = LocalPath(location);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus("cannot open", path);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus("cannot stat", path);
  if (S_ISDIR(st.st_mode)) return InvalidArgument("{} is a directory, not a file", path);
  return std::unique_ptr<InputFile>(
      std::make_unique<LocalInputFile>(path, fd.release(), static_cast<uint64_t>(st.st_size)));
}

Status LocalFileIO::WriteFile(std::string_view location, std::string_view data, WriteMode mode) {
  std::string path = LocalPath(location);
  fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) {
    fs::create_directories(target.parent_path(), ec);
    if (ec)
      return IOError("cannot create folder {}: {}", target.parent_path().string(), ec.message());
  }
  // Write the whole content to a unique temp file beside the target, then publish it.
  std::string temp = (target.has_parent_path() ? target.parent_path() / "" : fs::path()).string() +
                     "." + target.filename().string() + "." + RandomUuid() + ".tmp";
  {
    Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (fd.get() < 0) return ErrnoStatus("cannot create", temp);
    Status st = WriteAll(fd.get(), data, temp);
    if (st.ok() && ::fsync(fd.get()) != 0) st = ErrnoStatus("cannot sync", temp);
    if (!st.ok()) {
      ::unlink(temp.c_str());
      return st;
    }
  }
  if (mode == WriteMode::kNoReplace) {
    // link() fails with EEXIST when the target exists: an atomic create-if-absent.
    int rc = ::link(temp.c_str(), path.c_str());
    int saved = errno;
    ::unlink(temp.c_str());
    if (rc != 0) {
      errno = saved;
      return ErrnoStatus("cannot create", path);
    }
  } else if (::rename(temp.c_str(), path.c_str()) != 0) {
    Status st = ErrnoStatus("cannot replace", path);
    ::unlink(temp.c_str());
    return st;
  }
  return Status::OK();
}

Status LocalFileIO::DeleteFile(std::string_view location) {
  std::string path = LocalPath(location);
  if (::unlink(path.c_str()) != 0) return ErrnoStatus("cannot delete", path);
  return Status::OK();
}

Result<bool> LocalFileIO::Exists(std::string_view location) {
  std::error_code ec;
  bool exists = fs::exists(LocalPath(location), ec);
  if (ec) return IOError("cannot check {}: {}", location, ec.message());
  return exists;
}

Result<std::vector<std::string>> LocalFileIO::ListDir(std::string_view location) {
  std::vector<std::string> names;
  std::error_code ec;
  fs::path dir(LocalPath(location));
  if (!fs::is_directory(dir, ec)) return names;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  if (ec) return IOError("cannot list {}: {}", dir.string(), ec.message());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace faceberg::io
