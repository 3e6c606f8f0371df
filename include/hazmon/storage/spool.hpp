#pragma once
// A local, fsync'd, append-only log of group commits that could not reach PostgreSQL. A 2xx is
// given once a batch is here; replay applies the records in order when the database is back.
// Records are length- and CRC-framed: a torn tail after a crash is detected and ignored (it
// was never acknowledged, because the append had not returned).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <hazmon/storage/reading_store.hpp>

namespace hazmon::storage {

class Spool {
 public:
  explicit Spool(std::filesystem::path file);
  ~Spool();
  Spool(const Spool&) = delete;

  // Appends and fdatasyncs; throws core::Error(unavailable) when the disk refuses.
  void append(const IngestBatch& batch);
  // Records not yet replayed.
  std::uint64_t pending() const;
  std::uint64_t bytes() const;
  // Applies pending records in order. After each record the progress is made durable, so a
  // crash replays at most the record being applied (the apply must be idempotent). When all
  // are applied the file is truncated. An exception from `apply` stops the replay and
  // propagates; what was applied stays applied.
  std::uint64_t replay(const std::function<void(const IngestBatch&)>& apply);
  // The same, many records at a time: `apply` gets the next records in order (at most
  // `max_records`, and at most `max_readings` readings unless one record alone has more) and is
  // expected to commit them in one transaction; the progress is made durable after each call, so
  // a crash re-applies at most the records of one call. Returns the records applied.
  std::uint64_t replay_chunks(std::size_t max_records, std::size_t max_readings,
                              const std::function<void(std::vector<IngestBatch>&)>& apply);

 private:
  void load_offset();
  void save_offset(std::uint64_t off);
  std::filesystem::path file_, offset_file_;
  mutable std::mutex mutex_;
  int fd_ = -1;
  std::uint64_t applied_offset_ = 0;
  std::uint64_t pending_ = 0;
};

// Removes from `b` the uploads `drop` selects together with what they brought: their readings
// (a batch holds the readings of its uploads in upload order, `accepted` of each) and their
// enterprise alarms (by dataId). Alarm changes stay: they are transitions of the rules' state,
// which later groups build on, and not attributable to one upload. Returns the readings removed;
// when the readings do not add up to the uploads' counts (not a batch the ingest service made)
// only the uploads and enterprise alarms are removed and the result is npos.
std::size_t drop_uploads(IngestBatch& b, const std::function<bool(const UploadRecord&)>& drop);

// Exposed for tests.
std::string encode_batch(const IngestBatch& b);
IngestBatch decode_batch(const std::string& payload);

}  // namespace hazmon::storage
