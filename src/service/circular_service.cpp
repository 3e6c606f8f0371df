#include <hazmon/service/circular_service.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>

#include <hazmon/core/error.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/notify/circular_templates.hpp>
#include <hazmon/service/notification_service.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/notification_store.hpp>

namespace hazmon::service {
using core::Errc;
using core::Error;

namespace {
void must_be_person(const model::Principal& who) {
  if (!who.is_person())
    throw Error(Errc::forbidden, "circulars are read by people, not machine credentials");
}

// The region a principal issues circulars for: nullopt for the province; 403 for anyone who
// does not issue them (county officers, enterprises, operators, machines).
std::optional<std::string> issuer_region_of(const model::Principal& who) {
  using model::Role;
  if ((who.role == Role::province_admin || who.role == Role::province_officer) &&
      who.scope.kind == model::ScopeKind::province)
    return std::nullopt;
  if (who.role == Role::city_officer && who.scope.kind == model::ScopeKind::region &&
      model::region_level(who.scope.region_code) == model::RegionLevel::city)
    return who.scope.region_code;
  throw Error(Errc::forbidden, "circulars are issued by the province or a city");
}

bool may_manage(const model::Principal& who, const model::Circular& c) {
  try {
    auto mine = issuer_region_of(who);
    if (!mine) return true;  // the province manages every circular
    return c.issuer_region && *c.issuer_region == *mine;
  } catch (const Error&) {
    return false;
  }
}

model::Scope issuer_scope(const std::optional<std::string>& region) {
  return region ? model::Scope::region(*region) : model::Scope::province();
}

std::string trimmed(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// Unique codes in their first order; 422 beyond the limit.
std::vector<std::string> unique_codes(const std::vector<std::string>& codes) {
  std::vector<std::string> out;
  for (const auto& c : codes)
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  if (out.size() > model::kMaxCircularRecipients)
    throw Error(Errc::validation_failed, "too many enterprises named",
                {{"/company_codes", "at most 500 enterprises"}});
  return out;
}

// What the SMS and e-mail say of a circular (notify/circular_templates.hpp). A city issues as
// its emergency management bureau.
notify::CircularNotice notice_of(const model::Circular& c, const std::string& step,
                                 std::size_t attachments) {
  notify::CircularNotice n;
  n.id = c.id;
  n.step = step;
  n.issuer = c.issuer_region ? c.issuer_name + "应急管理局" : c.issuer_name;
  for (const auto& k : model::circular_kinds())
    if (c.kind == k.key) n.kind_name = k.name;
  n.title = c.title;
  n.body = c.body;
  n.withdraw_reason = c.withdraw_reason.value_or("");
  n.ack_deadline = c.ack_deadline;
  n.attachments = static_cast<int>(attachments);
  return n;
}

std::vector<std::string> codes_of(const std::vector<model::CircularRecipient>& rs,
                                  bool unacknowledged_only) {
  std::vector<std::string> out;
  for (const auto& r : rs)
    if (!unacknowledged_only || !r.acknowledged_at) out.push_back(r.company_code);
  return out;
}

void apply(model::Circular& c, const CircularDraft& d) {
  if (d.kind) c.kind = *d.kind;
  if (d.title) c.title = *d.title;
  if (d.body) c.body = *d.body;
  if (d.ack_deadline) c.ack_deadline = *d.ack_deadline;
  if (auto errors = model::check_circular(c); !errors.empty())
    throw Error(Errc::validation_failed, "the circular is not valid", std::move(errors));
}
}  // namespace

CircularService::CircularService(storage::Database& db, const core::Clock& clock)
    : db_(db), clock_(clock) {}

CircularDetail CircularService::detail(storage::Tx& tx, const model::Principal& who,
                                       long long id) const {
  auto c = store_.find(tx, who.scope, id, false);
  if (!c) throw Error(Errc::not_found, "no such circular");
  CircularDetail d;
  d.circular = std::move(*c);
  d.recipients = store_.recipients(tx, who.scope, id);
  d.attachments = store_.attachments(tx, id);
  d.manageable = may_manage(who, d.circular);
  return d;
}

model::Circular CircularService::manageable(storage::Tx& tx, const model::Principal& who,
                                            long long id) const {
  issuer_region_of(who);  // 403 for those who never issue
  auto c = store_.find(tx, who.scope, id, true);
  if (!c) throw Error(Errc::not_found, "no such circular");
  if (!may_manage(who, *c))
    throw Error(Errc::forbidden, "only the issuing region (or the province) manages a circular");
  return *c;
}

CircularDetail CircularService::create(const model::Principal& who, const CircularDraft& d) {
  model::Circular c;
  c.issuer_region = issuer_region_of(who);
  c.created_by = who.name;
  apply(c, d);
  auto codes = unique_codes(d.company_codes.value_or(std::vector<std::string>{}));
  auto now = clock_.now();
  return db_.in_tx([&](storage::Tx& tx) {
    if (auto bad = store_.outside(tx, issuer_scope(c.issuer_region), codes); !bad.empty()) {
      std::vector<core::FieldError> errors;
      for (std::size_t i = 0; i < codes.size(); ++i)
        if (std::find(bad.begin(), bad.end(), codes[i]) != bad.end())
          errors.push_back(
              {"/company_codes/" + std::to_string(i), "no such enterprise in the issuing region"});
      throw Error(Errc::validation_failed, "an enterprise named is not in the issuing region",
                  std::move(errors));
    }
    auto id = store_.insert(tx, c, now);
    store_.set_recipients(tx, id, codes);
    return detail(tx, who, id);
  });
}

CircularDetail CircularService::edit(const model::Principal& who, long long id,
                                     const CircularDraft& d) {
  auto now = clock_.now();
  return db_.in_tx([&](storage::Tx& tx) {
    auto c = manageable(tx, who, id);
    if (c.state != "draft")
      throw Error(Errc::conflict, "the circular is " + c.state + "; only drafts change");
    apply(c, d);
    store_.update(tx, c, now);
    if (d.company_codes) {
      auto codes = unique_codes(*d.company_codes);
      if (auto bad = store_.outside(tx, issuer_scope(c.issuer_region), codes); !bad.empty()) {
        std::vector<core::FieldError> errors;
        for (std::size_t i = 0; i < codes.size(); ++i)
          if (std::find(bad.begin(), bad.end(), codes[i]) != bad.end())
            errors.push_back({"/company_codes/" + std::to_string(i),
                              "no such enterprise in the issuing region"});
        throw Error(Errc::validation_failed, "an enterprise named is not in the issuing region",
                    std::move(errors));
      }
      store_.set_recipients(tx, id, codes);
    }
    return detail(tx, who, id);
  });
}

CircularDetail CircularService::publish(const model::Principal& who, long long id) {
  auto now = clock_.now();
  auto published = db_.in_tx([&](storage::Tx& tx) {
    auto c = manageable(tx, who, id);
    if (c.state != "draft")
      throw Error(Errc::conflict, "the circular is " + c.state + "; only a draft is published");
    if (store_.recipients(tx, model::Scope::province(), id).empty())
      throw Error(Errc::validation_failed, "a circular names at least one enterprise",
                  {{"/company_codes", "name at least one enterprise before publishing"}});
    auto deadline = c.ack_deadline.value_or(now + std::chrono::hours(24 * model::kDefaultAckDays));
    if (deadline <= now)
      throw Error(Errc::validation_failed, "the acknowledgement deadline has passed",
                  {{"/ack_deadline", "must be later than the publication"}});
    store_.publish(tx, id, who.name, now, deadline);
    auto d = detail(tx, who, id);
    if (notifier_)
      notifier_->enqueue_circular(
          tx, notice_of(d.circular, "published", d.attachments.size()),
          codes_of(store_.recipients(tx, model::Scope::province(), id), false));
    return d;
  });
  if (notifier_) notifier_->wake();
  return published;
}

CircularDetail CircularService::withdraw(const model::Principal& who, long long id,
                                         const std::string& reason) {
  auto why = trimmed(reason);
  if (why.empty() || why.size() > model::kMaxCircularTitle)
    throw Error(Errc::validation_failed, "a withdrawal needs its reason",
                {{"/reason", why.empty() ? "is required" : "at most 200 bytes"}});
  auto now = clock_.now();
  auto withdrawn = db_.in_tx([&](storage::Tx& tx) {
    auto c = manageable(tx, who, id);
    if (c.state == "withdrawn") throw Error(Errc::conflict, "the circular is already withdrawn");
    store_.withdraw(tx, id, who.name, now, why);
    auto d = detail(tx, who, id);
    // Those told of the publication hear of the withdrawal; a draft told no one.
    if (notifier_ && c.state == "published")
      notifier_->enqueue_circular(tx, notice_of(d.circular, "withdrawn", d.attachments.size()), {});
    return d;
  });
  if (notifier_) notifier_->wake();
  return withdrawn;
}

CircularDetail CircularService::acknowledge(const model::Principal& who, long long id,
                                            const std::optional<std::string>& reply) {
  if (who.role != model::Role::enterprise_user || who.scope.kind != model::ScopeKind::enterprise)
    throw Error(Errc::forbidden, "a circular is acknowledged by the named enterprise's users");
  if (reply && reply->size() > model::kMaxCircularReply)
    throw Error(Errc::validation_failed, "the reply is too long",
                {{"/reply", "at most 2000 bytes"}});
  auto now = clock_.now();
  return db_.in_tx([&](storage::Tx& tx) {
    auto c = store_.find(tx, who.scope, id, true);
    if (!c) throw Error(Errc::not_found, "no such circular");
    if (c->state != "published")
      throw Error(Errc::conflict, "the circular is " + c->state + " and takes no acknowledgement");
    std::optional<std::string> text;
    if (reply && !trimmed(*reply).empty()) text = trimmed(*reply);
    if (!store_.acknowledge(tx, id, who.scope.company_code, who.name, now, text))
      throw Error(Errc::conflict, "the circular is already acknowledged");
    return detail(tx, who, id);
  });
}

int CircularService::remind_overdue() {
  if (!notifier_) return 0;
  auto now = clock_.now();
  auto due = db_.in_tx([&](storage::Tx& tx) { return store_.due_reminders(tx, now, 100); });
  int reminded = 0;
  for (auto id : due) {
    // One transaction per circular: the mark and the messages commit together. One that fails
    // is tried again next tick and does not hold up the others.
    try {
      reminded += db_.in_tx([&](storage::Tx& tx) {
        if (!store_.mark_reminded(tx, id, now)) return 0;  // reminded meanwhile, or withdrawn
        auto c = store_.find(tx, model::Scope::province(), id, true);
        if (!c) return 0;
        auto pending = codes_of(store_.recipients(tx, model::Scope::province(), id), true);
        if (!pending.empty())
          notifier_->enqueue_circular(
              tx, notice_of(*c, "reminder", store_.attachments(tx, id).size()), pending);
        return 1;
      });
    } catch (const std::exception& e) {
      core::logger(core::LogModule::notify)
          ->warn("reminder of circular {} not queued yet: {}", id, e.what());
    }
  }
  if (reminded > 0) notifier_->wake();
  return reminded;
}

CircularDeliveries CircularService::deliveries(const model::Principal& who, long long id) {
  must_be_person(who);
  return db_.in_tx([&](storage::Tx& tx) {
    auto c = store_.find(tx, who.scope, id, false);
    if (!c) throw Error(Errc::not_found, "no such circular");
    if (!may_manage(who, *c))
      throw Error(Errc::forbidden, "what was sent for a circular is shown to its issuer");
    CircularDeliveries out;
    out.circular = std::move(*c);
    out.recipients = store_.recipients(tx, who.scope, id);
    out.messages = storage::NotificationStore{}.circular_deliveries(tx, id);
    out.enabled = notifier_ != nullptr;
    // As GET /notifications: phone numbers whole only for those who keep the contact list.
    bool whole = who.role == model::Role::province_admin || who.role == model::Role::city_officer;
    for (auto& m : out.messages)
      if (!whole && m.channel == "sms") m.recipient = core::mask_phone(m.recipient);
    return out;
  });
}

storage::CircularPage CircularService::list(const model::Principal& who,
                                            const storage::CircularFilter& f, int limit,
                                            long long offset) {
  must_be_person(who);
  if (f.state && *f.state != "draft" && *f.state != "published" && *f.state != "withdrawn")
    throw Error(Errc::bad_request, "state must be draft, published or withdrawn");
  if (f.kind && !model::valid_circular_kind(*f.kind))
    throw Error(Errc::bad_request,
                "kind must be warning_disposal, data_quality, patrol_result, commitment or other");
  return db_.in_tx([&](storage::Tx& tx) { return store_.list(tx, who.scope, f, limit, offset); });
}

CircularDetail CircularService::get(const model::Principal& who, long long id) {
  must_be_person(who);
  return db_.in_tx([&](storage::Tx& tx) { return detail(tx, who, id); });
}

CircularSummary CircularService::summary(const model::Principal& who, bool by_city) {
  must_be_person(who);
  CircularSummary s;
  s.at = clock_.now();
  s.by_city = by_city;
  db_.in_tx([&](storage::Tx& tx) {
    s.regions = store_.region_counts(tx, who.scope, s.at, by_city);
    s.total = store_.total_counts(tx, who.scope, s.at);
  });
  return s;
}

model::CircularAttachment CircularService::attach(const model::Principal& who, long long id,
                                                  const std::string& name,
                                                  const std::string& content_type,
                                                  const std::string& bytes) {
  auto n = trimmed(name);
  if (n.empty() || n.size() > model::kMaxAttachmentName ||
      n.find_first_of("/\\\"\r\n\t") != std::string::npos)
    throw Error(Errc::validation_failed, "the attachment's name is not valid",
                {{"/name", "1 to 200 bytes, without / \\ \" or control characters"}});
  if (!model::allowed_attachment_type(content_type))
    throw Error(Errc::unsupported_media,
                "attachments are PDF, PNG, JPEG or XLSX (application/pdf, image/png, image/jpeg, "
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet)");
  if (bytes.size() > model::kMaxAttachmentBytes)
    throw Error(Errc::too_large, "an attachment is at most 4,000,000 bytes");
  if (auto why = model::check_attachment(content_type, bytes))
    throw Error(Errc::validation_failed, "the attachment is not valid", {{"", *why}});
  auto now = clock_.now();
  return db_.in_tx([&](storage::Tx& tx) {
    auto c = manageable(tx, who, id);
    if (c.state != "draft") throw Error(Errc::conflict, "attachments are added to drafts only");
    if (store_.attachments(tx, id).size() >= model::kMaxCircularAttachments)
      throw Error(Errc::validation_failed, "too many attachments",
                  {{"", "at most 10 attachments per circular"}});
    return store_.add_attachment(tx, id, n, content_type, bytes, who.name, now);
  });
}

void CircularService::detach(const model::Principal& who, long long id, long long attachment_id) {
  db_.in_tx([&](storage::Tx& tx) {
    auto c = manageable(tx, who, id);
    if (c.state != "draft") throw Error(Errc::conflict, "attachments are removed from drafts only");
    if (!store_.remove_attachment(tx, id, attachment_id))
      throw Error(Errc::not_found, "no such attachment");
    return 0;
  });
}

std::pair<model::CircularAttachment, std::string> CircularService::download(
    const model::Principal& who, long long id, long long attachment_id) {
  must_be_person(who);
  return db_.in_tx([&](storage::Tx& tx) {
    if (!store_.find(tx, who.scope, id, false)) throw Error(Errc::not_found, "no such circular");
    auto a = store_.attachment(tx, id, attachment_id);
    if (!a) throw Error(Errc::not_found, "no such attachment");
    return std::move(*a);
  });
}

}  // namespace hazmon::service
