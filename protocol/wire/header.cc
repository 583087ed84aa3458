#include "protocol/wire/header.h"

#include "protocol/generated/api_registry.h"
#include "protocol/wire/varint.h"

namespace keel::protocol {

int16_t request_header_version(int16_t api_key, int16_t api_version) {
  const ApiInfo* api = find_api(api_key);
  return api != nullptr && api->is_flexible(api_version) ? 2 : 1;
}

int16_t response_header_version(int16_t api_key, int16_t api_version) {
  if (api_key == kApiVersionsKey) return 0;
  const ApiInfo* api = find_api(api_key);
  return api != nullptr && api->is_flexible(api_version) ? 1 : 0;
}

absl::Status decode_request_header(Reader& r, RequestHeader* header) {
  header->api_key = r.read_int16();
  header->api_version = r.read_int16();
  header->correlation_id = r.read_int32();
  header->client_id = r.read_nullable_string(/*compact=*/false);
  header->unknown_tagged_fields.clear();
  if (request_header_version(header->api_key, header->api_version) >= 2) {
    r.read_tagged_fields(header->unknown_tagged_fields, [](uint32_t, Reader&) { return false; });
  }
  return r.status();
}

void encode_request_header(Writer& w, const RequestHeader& header) {
  w.write_int16(header.api_key);
  w.write_int16(header.api_version);
  w.write_int32(header.correlation_id);
  w.write_nullable_string(header.client_id, /*compact=*/false);
  if (request_header_version(header.api_key, header.api_version) >= 2) {
    w.write_uvarint(header.unknown_tagged_fields.size());
    for (const RawTaggedField& f : header.unknown_tagged_fields) write_raw_tagged_field(w, f);
  }
}

size_t request_header_size(const RequestHeader& header) {
  size_t s = 8 + string_size(header.client_id ? header.client_id->size() : 0, false);
  if (request_header_version(header.api_key, header.api_version) >= 2) {
    s += uvarint_size(header.unknown_tagged_fields.size());
    for (const RawTaggedField& f : header.unknown_tagged_fields) s += raw_tagged_field_size(f);
  }
  return s;
}

void encode_response_header(Writer& w, int32_t correlation_id, int16_t header_version) {
  w.write_int32(correlation_id);
  if (header_version >= 1) w.write_uvarint(0);  // no tagged fields
}

size_t response_header_size(int16_t header_version) { return header_version >= 1 ? 5 : 4; }

int32_t decode_response_header(Reader& r, int16_t header_version) {
  int32_t correlation_id = r.read_int32();
  if (header_version >= 1) {
    RawTaggedFields ignored;
    r.read_tagged_fields(ignored, [](uint32_t, Reader&) { return false; });
  }
  return correlation_id;
}

}  // namespace keel::protocol
