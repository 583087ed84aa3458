#include "protocol/wire/writer.h"

#include <bit>

#include "protocol/wire/varint.h"

namespace keel::protocol {

void Writer::write_raw(const void* data, size_t n) {
  if (n == 0) return;
  size_t at = out_.size();
  out_.resize(at + n);
  std::memcpy(out_.data() + at, data, n);
}

void Writer::write_float64(double v) { write_be<uint64_t>(std::bit_cast<uint64_t>(v)); }

void Writer::write_uvarint(uint64_t v) {
  uint8_t tmp[10];
  size_t n = 0;
  while (v >= 0x80) {
    tmp[n++] = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  tmp[n++] = static_cast<uint8_t>(v);
  write_raw(tmp, n);
}

void Writer::write_varint(int32_t v) { write_uvarint(zigzag32(v)); }
void Writer::write_varlong(int64_t v) { write_uvarint(zigzag64(v)); }

void Writer::write_string(std::string_view s, bool compact) {
  if (compact) {
    write_uvarint(s.size() + 1);
  } else {
    write_int16(static_cast<int16_t>(s.size()));
  }
  write_raw(s.data(), s.size());
}

void Writer::write_nullable_string(const std::optional<std::string>& s, bool compact) {
  if (s) return write_string(*s, compact);
  if (compact) {
    write_uvarint(0);
  } else {
    write_int16(-1);
  }
}

void Writer::write_bytes(std::span<const uint8_t> b, bool compact) {
  if (compact) {
    write_uvarint(b.size() + 1);
  } else {
    write_int32(static_cast<int32_t>(b.size()));
  }
  write_raw(b);
}

void Writer::write_nullable_bytes(const std::optional<Bytes>& b, bool compact) {
  if (b) return write_bytes(*b, compact);
  if (compact) {
    write_uvarint(0);
  } else {
    write_int32(-1);
  }
}

void Writer::write_records(const RecordsView& r, bool compact) {
  if (!r.is_external()) return write_bytes(r.span(), compact);
  if (compact) {
    write_uvarint(r.size + 1);
  } else {
    write_int32(static_cast<int32_t>(r.size));
  }
  splices_.push_back({out_.size(), r.size});
}

void Writer::write_records(const std::optional<RecordsView>& r, bool compact) {
  if (r) return write_records(*r, compact);
  if (compact) {
    write_uvarint(0);
  } else {
    write_int32(-1);
  }
}

void Writer::write_array_length(int64_t count, bool compact) {
  if (compact) {
    write_uvarint(static_cast<uint64_t>(count + 1));
  } else {
    write_int32(static_cast<int32_t>(count));
  }
}

void Writer::patch_int32(size_t pos, int32_t v) {
  uint32_t u = static_cast<uint32_t>(v);
  for (int i = 0; i < 4; ++i) out_[pos + i] = static_cast<uint8_t>(u >> (24 - 8 * i));
}

void write_raw_tagged_field(Writer& w, const RawTaggedField& field) {
  w.write_uvarint(field.tag);
  w.write_uvarint(field.data.size());
  w.write_raw(field.data.data(), field.data.size());
}

size_t raw_tagged_field_size(const RawTaggedField& field) {
  return uvarint_size(field.tag) + uvarint_size(field.data.size()) + field.data.size();
}

size_t string_size(size_t length, bool compact) {
  return (compact ? uvarint_size(length + 1) : 2) + length;
}
size_t bytes_size(size_t length, bool compact) {
  return (compact ? uvarint_size(length + 1) : 4) + length;
}
size_t array_length_size(int64_t count, bool compact) {
  return compact ? uvarint_size(static_cast<uint64_t>(count + 1)) : 4;
}

}  // namespace keel::protocol
