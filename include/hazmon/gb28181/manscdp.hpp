#pragma once
// MANSCDP bodies (GB/T 28181-2016 Appendix A: Application/MANSCDP+xml): the Keepalive
// notification, the Catalog query the server sends and the Catalog response a device answers
// with, possibly in several MESSAGEs (SumNum channels in all, DeviceList Num in this one).
// Bodies declare GB2312 (often GBK or GB18030 in practice) and are converted to UTF-8 here.
// A small bounded XML reader: no DTD, no entities beyond the five predefined, depth <= 8.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hazmon::gb28181 {

struct CatalogItem {
  std::string channel_id, name, manufacturer, model, owner, civil_code, address, parent_id;
  std::string status;  // ON / OFF as the device says
  std::optional<double> longitude, latitude;
};

struct Manscdp {
  std::string root;      // Notify, Response, Query, Control
  std::string cmd_type;  // Keepalive, Catalog, ...
  long long sn = 0;
  std::string device_id;
  std::string status;  // Keepalive: OK
  long long sum_num = 0;
  std::vector<CatalogItem> items;  // Catalog response: DeviceList/Item
};

// The body as UTF-8: converted from GB18030 (a superset of GB2312 and GBK) unless its XML
// declaration says UTF-8; nullopt when the bytes are not valid in that charset.
std::optional<std::string> manscdp_to_utf8(std::string_view body);

// nullopt (and `error`) when the XML is malformed, too deep, has more than `max_items` items, or
// holds a DTD. The body must already be UTF-8.
std::optional<Manscdp> parse_manscdp(std::string_view utf8_xml, std::size_t max_items,
                                     std::string* error = nullptr);

// The Catalog query body (GB2312 declared; its content is ASCII).
std::string catalog_query(long long sn, std::string_view device_id);

// Whether `id` is a 20-digit GB/T 28181 code; its type (digits 11-13: 111 DVR, 118 NVR, 131
// camera, 132 IP camera, 200 platform) in `type` when asked.
bool is_gb_id(std::string_view id, std::string* type = nullptr);

}  // namespace hazmon::gb28181
