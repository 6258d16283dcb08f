// A RocksDB file system whose writes fail while a test says so, as LevelDB's tests inject faults
// through their Env: a full disk (new files and appends fail with NoSpace; an fsync of what was
// written still succeeds) or an unplugged disk (new files, appends and fsyncs fail with an I/O
// error: a lost fsync).
#ifndef CHIPLEDGER_TESTS_LEDGER_FAULTY_FILE_SYSTEM_H_
#define CHIPLEDGER_TESTS_LEDGER_FAULTY_FILE_SYSTEM_H_

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <memory>
#include <string>

namespace chipledger::testing {

enum class DiskFault { kNone, kFull, kUnplugged };

class FaultyFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  using IODebugContext = rocksdb::IODebugContext;
  using IOOptions = rocksdb::IOOptions;
  using IOStatus = rocksdb::IOStatus;

  FaultyFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FaultyFileSystem"; }
  void Inject(DiskFault fault) { fault_ = fault; }

  IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                           std::unique_ptr<rocksdb::FSWritableFile>* file,
                           IODebugContext* dbg) override {
    if (IOStatus failed = WriteFault(fault_, name); !failed.ok()) return failed;
    IOStatus status = target()->NewWritableFile(name, options, file, dbg);
    if (status.ok()) *file = std::make_unique<File>(std::move(*file), &fault_);
    return status;
  }

 private:
  static IOStatus WriteFault(DiskFault fault, const std::string& what) {
    if (fault == DiskFault::kFull) return IOStatus::NoSpace(what, "injected full disk");
    if (fault == DiskFault::kUnplugged) return IOStatus::IOError(what, "injected: disk unplugged");
    return IOStatus::OK();
  }
  static IOStatus SyncFault(DiskFault fault) {
    return fault == DiskFault::kUnplugged ? WriteFault(fault, "fsync") : IOStatus::OK();
  }

  class File final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> file, const std::atomic<DiskFault>* fault)
        : FSWritableFileOwnerWrapper(std::move(file)), fault_(fault) {}
    IOStatus Append(const rocksdb::Slice& data, const IOOptions& options,
                    IODebugContext* dbg) override {
      if (IOStatus failed = WriteFault(*fault_, "append"); !failed.ok()) return failed;
      return FSWritableFileOwnerWrapper::Append(data, options, dbg);
    }
    IOStatus Append(const rocksdb::Slice& data, const IOOptions& options,
                    const rocksdb::DataVerificationInfo& info, IODebugContext* dbg) override {
      if (IOStatus failed = WriteFault(*fault_, "append"); !failed.ok()) return failed;
      return FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
    }
    IOStatus Sync(const IOOptions& options, IODebugContext* dbg) override {
      if (IOStatus failed = SyncFault(*fault_); !failed.ok()) return failed;
      return FSWritableFileOwnerWrapper::Sync(options, dbg);
    }
    IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
      if (IOStatus failed = SyncFault(*fault_); !failed.ok()) return failed;
      return FSWritableFileOwnerWrapper::Fsync(options, dbg);
    }

   private:
    const std::atomic<DiskFault>* fault_;
  };

  std::atomic<DiskFault> fault_{DiskFault::kNone};
};

}  // namespace chipledger::testing

#endif  // CHIPLEDGER_TESTS_LEDGER_FAULTY_FILE_SYSTEM_H_
