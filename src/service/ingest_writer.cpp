// IngestService's writer thread: uploads and timer evaluations gather into groups; each group
// runs the rules, is committed to PostgreSQL in one transaction (or spooled while PostgreSQL is
// away) and only then answered; the spool is replayed in order; the minute's maintenance.
#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include <algorithm>
#include <unordered_set>

#include "ingest_impl.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;
using ingest_detail::from_ms;
using ingest_detail::to_ms;
using nlohmann::json;
using namespace std::chrono;

core::Error ingest_failure(const std::exception& e) {
  auto reason = core::Reason::ingest_failed;
  if (const auto* err = dynamic_cast<const core::Error*>(&e);
      err && err->code() == Errc::unavailable && err->reason() != core::Reason::none)
    reason = err->reason();
  return Error(Errc::unavailable, reason,
               std::string("ingest failed (") + core::to_string(reason) + "); retry later");
}

model::AlarmEvent IngestService::Impl::to_event(const model::PointDef& p,
                                                const rules::AlarmChange& c) {
  model::AlarmEvent w;
  w.point_id = p.point_id;
  w.quota_code = p.quota_code;
  w.company_code = p.company_code;
  w.hazard_code = p.hazard_code;
  w.equip_code = p.equip_code;
  w.prodcell_id = p.prodcell_id;
  w.transition = c.transition;
  w.type = c.type;
  // An escalation goes from H to HH or from L to LL.
  if (c.transition == model::AlarmTransition::escalated)
    w.previous_type = c.type == model::AlarmType::hh ? model::AlarmType::h : model::AlarmType::l;
  w.data_fault = model::is_data_fault(c.type);
  w.threshold = c.threshold;
  w.start_ms = to_ms(c.start);
  w.at_ms = to_ms(c.at);
  w.peak_ms = to_ms(c.peak_at);
  w.value = c.value;
  w.peak = c.peak;
  w.suppressed = c.suppressed;
  w.late = c.late;
  return w;
}

void IngestService::Impl::evaluate(const model::PointDef& p, const model::Reading& r, bool late,
                                   std::vector<model::AlarmEvent>& out) {
  auto it = machines.find(p.point_id);
  if (it == machines.end())
    it = machines.emplace(p.point_id, rules::PointMachine(config_of(p, s))).first;
  rules::Sample smp{from_ms(r.collect_ms), r.value, r.quality, suppressed(p, r.collect_ms), late};
  for (const auto& c : it->second.on_sample(smp)) out.push_back(to_event(p, c));
}

std::vector<std::pair<std::string, std::string>> IngestService::Impl::stored_replies(
    const std::vector<std::unique_ptr<Pending>>& items) {
  std::vector<std::pair<std::string, std::string>> unknown;
  for (const auto& p : items)
    if (!p->tick && !recent.find(p->upload.company_code + "|" + p->upload.data_id))
      unknown.emplace_back(p->upload.company_code, p->upload.data_id);
  std::vector<std::pair<std::string, std::string>> stored;
  // After a restart the spool may hold uploads this process never answered: apply it first,
  // or a resend of one of them would be taken for new (its readings stored twice).
  if (!unknown.empty() && spool->pending() > 0) replay_spool();
  if (!unknown.empty() && spool->pending() == 0) {
    try {
      stored = db.in_tx([&](storage::Tx& tx) { return store.find_uploads(tx, unknown); });
    } catch (const storage::TransientError&) {
      // Unknown while the database is away; the replay skips anything stored meanwhile.
    }
  }
  return stored;
}

// A timer evaluation: offline and frozen points.
void IngestService::Impl::add_ticks(storage::IngestBatch& batch,
                                    const ingest::RegistrySnapshot& snap) {
  for (auto& [id, m] : machines) {
    const auto* def = snap.by_id(id);
    if (!def) continue;
    for (const auto& c : m.on_tick(clock.now())) batch.alarms.push_back(to_event(*def, c));
  }
}

// A new upload joins the group: its record, its readings through the rules, the gateway's
// last contact and the enterprise's own alarms.
void IngestService::Impl::add_upload(const Pending& p, const std::string& reply,
                                     storage::IngestBatch& batch,
                                     const ingest::RegistrySnapshot& snap, std::int64_t now_ms) {
  const auto& u = p.upload;
  batch.uploads.push_back({u.company_code, u.data_id, u.gateway_code,
                           ingest::to_string(u.report_type), to_ms(u.received),
                           static_cast<int>(u.readings.size()), reply});
  if (!s.forward_path.empty() && !p.forward_body.empty()) {
    batch.uploads.back().forward_path = s.forward_path;
    batch.uploads.back().forward_body = p.forward_body;
  }
  // Rules see each point's samples in collect-time order.
  std::vector<std::size_t> order(u.readings.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return u.readings[a].collect_ms < u.readings[b].collect_ms;
  });
  bool resend = u.report_type == ingest::ReportType::resend;
  auto late_ms = duration_cast<milliseconds>(s.late_after).count();
  for (auto i : order) {
    const auto& r = u.readings[i];
    const auto* def = snap.by_id(r.point_id);
    if (!def || s.cluster) continue;  // cluster: in the storing transaction (ingest_shared.cpp)
    evaluate(*def, r, resend || now_ms - r.collect_ms > late_ms, batch.alarms);
  }
  batch.readings.insert(batch.readings.end(), u.readings.begin(), u.readings.end());
  // Only the upload's own enterprise's gateway: another enterprise's gatewayCode (a city's or a
  // gateway's upload) must not keep that enterprise "connected" (attack 13.5).
  if (const auto* owner =
          u.gateway_code.empty() ? nullptr : snap.company_of_gateway(u.gateway_code);
      owner && *owner == u.company_code)
    batch.gateways_seen.emplace_back(u.gateway_code, to_ms(u.received));
  for (const auto& a : u.alarms) {
    storage::EnterpriseAlarmRow row{u.company_code, u.data_id,   a.quota_code,   a.alarm_type,
                                    a.value,        a.threshold, to_ms(a.start), std::nullopt};
    if (a.end) row.end_ms = to_ms(*a.end);
    batch.enterprise_alarms.push_back(std::move(row));
  }
  // Where it came from (migration 0031): the city platform that forwarded it, the credential.
  auto& record = batch.uploads.back();
  record.forwarded_by = u.forwarded_by;
  record.app_id = u.app_id;
  for (const auto& r : u.readings)
    if (!record.newest_collect_ms || r.collect_ms > *record.newest_collect_ms)
      record.newest_collect_ms = r.collect_ms;
}

void IngestService::Impl::process(std::vector<std::unique_ptr<Pending>>& items) {
  sync_machines();
  storage::IngestBatch batch;
  std::vector<std::pair<Pending*, std::string>> answers;
  std::unordered_map<std::string, std::string> in_group;
  auto snap = current();
  auto now_ms = to_ms(clock.now());
  // Replies already given for these dataIds (recent memory, then the database).
  auto stored = stored_replies(items);
  for (auto& p : items) {
    if (p->tick) {
      if (s.cluster)
        tick_shared(*snap);
      else
        add_ticks(batch, *snap);
      answers.emplace_back(p.get(), "");
      continue;
    }
    auto& u = p->upload;
    auto key = u.company_code + "|" + u.data_id;
    std::optional<std::string> dup = recent.find(key);
    if (!dup) {
      for (auto& [k, r] : stored)
        if (k == key) dup = r;
    }
    if (!dup) {
      if (auto it = in_group.find(key); it != in_group.end()) dup = it->second;
    }
    if (dup) {
      ++n_duplicates;
      answers.emplace_back(p.get(), *dup);
      continue;
    }
    auto reply = ingest::upload_reply(u).dump();
    in_group[key] = reply;
    add_upload(*p, reply, batch, *snap, now_ms);
    answers.emplace_back(p.get(), reply);
  }
  try {
    if (!batch.empty() || !batch.gateways_seen.empty())
      write_durably(batch);
    else if (spool->pending() > 0)
      replay_spool();
  } catch (const std::exception& e) {
    log->error("a group of {} readings could not be made durable: {}", batch.readings.size(),
               e.what());
    // Neither PostgreSQL nor the spool took it: the spool's failure (spool_unavailable) or
    // what PostgreSQL refused.
    auto failure = std::make_exception_ptr(ingest_failure(e));
    for (auto& [p, reply] : answers) p->reply.set_exception(failure);
    return;
  }
  answer(answers, batch);
}

// The group is durable: its callers get their replies, then the alarm listeners hear of it.
void IngestService::Impl::answer(std::vector<std::pair<Pending*, std::string>>& answers,
                                 const storage::IngestBatch& batch) {
  ++n_groups;
  count_changes(batch.alarms);
  for (auto& [p, reply] : answers) {
    if (!p->tick) {
      recent.put(p->upload.company_code + "|" + p->upload.data_id, reply);
      p->reply.set_value(json::parse(reply));
    } else {
      p->reply.set_value(json());
    }
  }
  if (m_spool) m_spool->Set(static_cast<double>(spool->pending()));
  announce_turns();  // node.cluster: before the alarm changes of the same evaluation
  std::vector<std::function<void(const model::AlarmEvent&)>> ls;
  {
    std::lock_guard lock(listeners_mu);
    ls = listeners;
  }
  for (const auto& w : batch.alarms)
    for (const auto& l : ls) l(w);
}

void IngestService::Impl::write_durably(storage::IngestBatch& batch) {
  // Order matters: while anything waits in the spool, new groups queue behind it.
  if (spool->pending() > 0) replay_spool();
  if (spool->pending() == 0) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      try {
        db.in_tx([&](storage::Tx& tx) {
          if (s.cluster) evaluate_shared(tx, batch, *current(), to_ms(clock.now()));
          store.write(tx, batch);
        });
        if (s.cluster) settle_owners(true);
        return;
      } catch (const storage::TransientError& e) {
        if (s.cluster) {  // spooled unevaluated: the replay evaluates it under the locks
          settle_owners(false);
          batch.alarms.clear();
        }
        log->warn("database unavailable ({}); spooling {} readings", e.what(),
                  batch.readings.size());
        break;
      } catch (const storage::ConflictError&) {
        // Another node (or a replay) stored one of these dataIds meanwhile: drop those and retry.
        if (s.cluster) {
          settle_owners(false);
          batch.alarms.clear();
        }
        drop_stored_uploads(batch);
      }
    }
  }
  spool->append(batch);
  ++n_spooled;
  if (m_spooled) m_spooled->Increment();
}

void IngestService::Impl::drop_stored_uploads(storage::IngestBatch& batch) {
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& u : batch.uploads) keys.emplace_back(u.company_code, u.data_id);
  auto found = db.in_tx([&](storage::Tx& tx) { return store.find_uploads(tx, keys); });
  // Their readings and enterprise alarms go with them: they are stored already.
  auto removed = storage::drop_uploads(batch, [&](const storage::UploadRecord& u) {
    auto key = u.company_code + "|" + u.data_id;
    return std::any_of(found.begin(), found.end(), [&](auto& f) { return f.first == key; });
  });
  if (removed == std::string::npos)
    log->warn("uploads stored meanwhile dropped, but their readings are not attributable");
}

// The spooled records `recs` as one batch, without the uploads PostgreSQL holds already
// (committed before a crash, by another node, or by a resend that reached PostgreSQL while the
// original waited here) nor their readings: a record all of whose uploads are stored is left
// out whole (it was applied), one with some of them loses those. Counts what it left out.
storage::IngestBatch IngestService::Impl::unstored(storage::Tx& tx,
                                                   const std::vector<storage::IngestBatch>& recs,
                                                   std::size_t& skipped_uploads,
                                                   std::size_t& skipped_readings) {
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& r : recs)
    for (const auto& u : r.uploads) keys.emplace_back(u.company_code, u.data_id);
  std::unordered_set<std::string> stored;
  for (auto& [k, reply] : store.find_uploads(tx, keys)) stored.insert(k);
  storage::IngestBatch out;
  for (const auto& rec : recs) {
    auto is_stored = [&](const storage::UploadRecord& u) {
      return stored.count(u.company_code + "|" + u.data_id) > 0;
    };
    if (!rec.uploads.empty() && std::all_of(rec.uploads.begin(), rec.uploads.end(), is_stored)) {
      skipped_uploads += rec.uploads.size();
      skipped_readings += rec.readings.size();
      continue;
    }
    const storage::IngestBatch* use = &rec;
    storage::IngestBatch part;
    if (std::any_of(rec.uploads.begin(), rec.uploads.end(), is_stored)) {
      part = rec;
      auto before = part.uploads.size();
      auto removed = storage::drop_uploads(part, is_stored);
      skipped_uploads += before - part.uploads.size();
      if (removed == std::string::npos)
        log->warn(
            "spooled uploads stored meanwhile dropped, but their readings are not attributable");
      else
        skipped_readings += removed;
      use = &part;
    }
    for (const auto& u : use->uploads) stored.insert(u.company_code + "|" + u.data_id);
    out.uploads.insert(out.uploads.end(), use->uploads.begin(), use->uploads.end());
    out.readings.insert(out.readings.end(), use->readings.begin(), use->readings.end());
    out.alarms.insert(out.alarms.end(), use->alarms.begin(), use->alarms.end());
    out.enterprise_alarms.insert(out.enterprise_alarms.end(), use->enterprise_alarms.begin(),
                                 use->enterprise_alarms.end());
    out.gateways_seen.insert(out.gateways_seen.end(), use->gateways_seen.begin(),
                             use->gateways_seen.end());
  }
  return out;
}

// Applies the spool in order, many records per transaction; the spool's progress moves only
// after each commit.
void IngestService::Impl::replay_spool() {
  auto t0 = steady_clock::now();
  std::size_t txs = 0, readings = 0, skipped_uploads = 0, skipped_readings = 0;
  std::uint64_t groups = 0;
  std::vector<model::AlarmEvent> replay_alarms;  // node.cluster: evaluated here, published after
  try {
    spool->replay_chunks(kReplayRecordsPerTx, s.max_group_readings,
                         [&](std::vector<storage::IngestBatch>& recs) {
                           for (int attempt = 0;; ++attempt) {
                             std::size_t su = 0, sr = 0, nr = 0;
                             try {
                               db.in_tx([&](storage::Tx& tx) {
                                 auto batch = unstored(tx, recs, su, sr);
                                 nr = batch.readings.size();
                                 if (s.cluster) {
                                   evaluate_shared(tx, batch, *current(), to_ms(clock.now()));
                                   replay_alarms = batch.alarms;
                                 }
                                 if (!batch.empty() || !batch.gateways_seen.empty())
                                   store.write(tx, batch);
                               });
                             } catch (const storage::ConflictError&) {
                               // Stored by someone else between the check and the write: check
                               // again.
                               settle_owners(false);
                               if (attempt >= 2) throw;
                               continue;
                             }
                             if (s.cluster) {
                               settle_owners(true);
                               publish(replay_alarms);
                             }
                             skipped_uploads += su;
                             skipped_readings += sr;
                             readings += nr;
                             break;
                           }
                           ++txs;
                           groups += recs.size();
                           n_replayed += recs.size();
                         });
  } catch (const storage::TransientError&) {
    // Still away; try again with the next group or tick.
    settle_owners(false);
  }
  if (txs) {
    log->info(
        "replayed {} spooled group(s) into PostgreSQL: {} readings in {} transaction(s), {} ms{}",
        groups, readings, txs, duration_cast<milliseconds>(steady_clock::now() - t0).count(),
        skipped_uploads
            ? fmt::format("; {} upload(s) already stored left out with their {} readings",
                          skipped_uploads, skipped_readings)
            : std::string());
  }
  if (m_spool) m_spool->Set(static_cast<double>(spool->pending()));
}

// A writer job: the upload (or timer evaluation) joins the group; the group is committed when
// nothing else waits or the next upload would not fit (as one group commit took them before).
void IngestService::Impl::write(std::unique_ptr<Pending> p) {
  auto n = p->upload.readings.size();
  if (!group.empty() && group_readings + n > s.max_group_readings) commit_group();
  group_readings += n;
  group.push_back(std::move(p));
  if (m_queue) m_queue->Set(static_cast<double>(writer.queued_weight()));
  if (writer.queued() == 0) commit_group();
}

void IngestService::Impl::commit_group() {
  if (group.empty()) return;
  std::vector<std::unique_ptr<Pending>> items;
  items.swap(group);
  group_readings = 0;
  try {
    process(items);
  } catch (const std::exception& e) {
    log->error("ingest group failed: {}", e.what());
    auto failure = std::make_exception_ptr(ingest_failure(e));
    for (auto& p : items) {
      try {
        p->reply.set_exception(failure);
      } catch (const std::future_error&) {
        // already answered
      }
    }
  }
}

void IngestService::Impl::enqueue_tick() {
  auto p = std::make_unique<Pending>();
  p->tick = true;
  writer.post_always(WriteJob(this, std::move(p)));  // timers and spool replay run on the writer
}

void IngestService::Impl::maintenance() {
  if (s.cluster && !leads_maintenance()) return;  // another node does it (ADR 0028)
  try {
    auto now = clock.now();
    db.in_tx([&](storage::Tx& tx) {
      // Cheap catalogue lookups; creating ahead keeps COPY away from the default partition.
      store.ensure_partitions(tx, now - hours(24), s.partition_days_ahead + 1);
      store.drop_partitions_before(tx, now - hours(24) * s.retention_days);
    });
    aggregate(now);
  } catch (const std::exception& e) {
    log->warn("maintenance skipped: {}", e.what());
  }
  // One run queued at most: a run in progress when the next aggregation ends runs once more.
  if (!tasks_queued.exchange(true)) tasks.post_always([this] { run_tasks(); });
}

// Aggregates closed minutes (and their hours) up to one minute ago.
void IngestService::Impl::aggregate(core::SysTime now) {
  auto until = to_ms(now) / 60000 * 60000 - 60000;
  if (aggregated_until_ms == 0) {
    auto done = db.in_tx([this](storage::Tx& tx) { return store.aggregated_until(tx); });
    aggregated_until_ms = done ? to_ms(*done) : until - 3600000;
  }
  if (until <= aggregated_until_ms) return;
  db.in_tx([&](storage::Tx& tx) {
    store.aggregate(tx, from_ms(aggregated_until_ms), from_ms(until));
    store.set_aggregated_until(tx, from_ms(until));
  });
  aggregated_until_ms = until;
}

void IngestService::Impl::run_tasks() {
  tasks_queued = false;
  for (auto& task : maintenance_tasks) {
    try {
      task();
    } catch (const std::exception& e) {
      log->warn("maintenance task skipped: {}", e.what());
    }
  }
}

}  // namespace hazmon::service
