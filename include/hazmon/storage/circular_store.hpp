#pragma once
// Where circulars (信息通报) are stored: `circular`, `circular_recipient` (one row per named
// enterprise with its acknowledgement) and `circular_attachment` (the bytes, ADR 0024).
// Migration 0025. Everything runs in the caller's transaction; service::CircularService holds
// the rules.
//
// Who reads a circular (`visible`): the province; a region whose prefix covers the issuing
// region (a city its own circulars); and, once published, every scope that holds one of the
// named enterprises (a county the circulars of its city or of the province naming its
// enterprises, an enterprise those naming it). Drafts are seen by the issuer's scope only. The
// recipients and the counts are always cut to the reader's scope.
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/circular.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::storage {

class Tx;

struct CircularFilter {
  std::optional<std::string> state, kind, company_code;
  bool unacknowledged = false;  // at least one named enterprise in the reader's scope has not
  bool issued_by_me = false;    // issued by the reader's own region (province: by the province)
};

struct CircularPage {
  std::vector<model::Circular> items;
  long long total = 0;
};

// One region's published circulars (withdrawn ones left out), counted by the named enterprises
// of that region: how many circulars name at least one of them, how many namings there are, and
// how many are acknowledged, not yet, and not yet past the deadline. For the statistics of the
// five systems (H6) as well as /api/v1/circulars/summary.
struct CircularRegionCount {
  std::string region_code, region_name;
  long long circulars = 0, recipients = 0, acknowledged = 0, unacknowledged = 0, overdue = 0;
  long long acknowledged_late = 0;  // acknowledged after the ack_deadline
};

class CircularStore {
 public:
  // The circular if the scope may read it (see above); `lock` locks its row.
  std::optional<model::Circular> find(Tx& tx, const model::Scope& viewer, long long id,
                                      bool lock) const;
  long long insert(Tx& tx, const model::Circular& c, core::SysTime at) const;
  // title, body, kind, ack_deadline of a draft.
  void update(Tx& tx, const model::Circular& c, core::SysTime at) const;
  // Replaces the named enterprises of a draft.
  void set_recipients(Tx& tx, long long id, const std::vector<std::string>& codes) const;
  // The codes among `codes` that are not active enterprises inside `scope`.
  std::vector<std::string> outside(Tx& tx, const model::Scope& scope,
                                   const std::vector<std::string>& codes) const;
  void publish(Tx& tx, long long id, const std::string& who, core::SysTime at,
               core::SysTime deadline) const;
  void withdraw(Tx& tx, long long id, const std::string& who, core::SysTime at,
                const std::string& reason) const;
  // Published circulars past their deadline at `now` whose reminder has not been queued yet
  // (docs/circulars.md), oldest deadline first; mark_reminded records it, false when it was
  // recorded already (once per circular). Only those whose publication was sent to someone: a
  // circular published before 0028, or while neither SMS nor e-mail was configured, gets no
  // reminder of a notice nobody had.
  std::vector<long long> due_reminders(Tx& tx, core::SysTime now, int limit) const;
  bool mark_reminded(Tx& tx, long long id, core::SysTime at) const;
  // Records the enterprise's acknowledgement; false when it is not named or already acknowledged.
  bool acknowledge(Tx& tx, long long id, const std::string& company_code, const std::string& who,
                   core::SysTime at, const std::optional<std::string>& reply) const;

  // The named enterprises inside the reader's scope, by code.
  std::vector<model::CircularRecipient> recipients(Tx& tx, const model::Scope& viewer,
                                                   long long id) const;
  CircularPage list(Tx& tx, const model::Scope& viewer, const CircularFilter& f, int limit,
                    long long offset) const;

  std::vector<model::CircularAttachment> attachments(Tx& tx, long long id) const;
  model::CircularAttachment add_attachment(Tx& tx, long long id, const std::string& name,
                                           const std::string& content_type,
                                           const std::string& bytes, const std::string& who,
                                           core::SysTime at) const;
  // The attachment's record and bytes.
  std::optional<std::pair<model::CircularAttachment, std::string>> attachment(
      Tx& tx, long long id, long long attachment_id) const;
  bool remove_attachment(Tx& tx, long long id, long long attachment_id) const;

  // Per county (or city, `by_city`) inside the scope, for the circulars published in
  // [from, to) (either bound optional): see CircularRegionCount. Overdue at `now`.
  std::vector<CircularRegionCount> region_counts(Tx& tx, const model::Scope& scope,
                                                 core::SysTime now, bool by_city,
                                                 std::optional<core::SysTime> from = std::nullopt,
                                                 std::optional<core::SysTime> to = {}) const;
  // The same over the whole scope (a circular naming enterprises of two regions counts once).
  CircularRegionCount total_counts(Tx& tx, const model::Scope& scope, core::SysTime now,
                                   std::optional<core::SysTime> from = std::nullopt,
                                   std::optional<core::SysTime> to = {}) const;
};

}  // namespace hazmon::storage
