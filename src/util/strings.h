// Small string helpers shared by every layer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faceberg {

/// Splits `text` on every `sep`; empty pieces are kept ("a,,b" -> {"a","","b"}).
std::vector<std::string> Split(std::string_view text, char sep);
/// Splits on `sep` outside parentheses and quotes: "a, decimal(9,2), 'x,y'" -> 3 pieces.
std::vector<std::string> SplitTopLevel(std::string_view text, char sep);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);
std::string_view Trim(std::string_view text);
std::string ToLower(std::string_view text);
bool StartsWith(std::string_view text, std::string_view prefix);
bool EndsWith(std::string_view text, std::string_view suffix);
/// Parses a whole decimal integer; nullopt on anything else (signs allowed, no spaces).
std::optional<int64_t> ParseInt64(std::string_view text);
/// Lower-case hex of raw bytes.
std::string HexEncode(std::string_view bytes);
/// Inverse of HexEncode (either case); nullopt on odd length or a non-hex digit.
std::optional<std::string> HexDecode(std::string_view hex);
/// The offset of the first byte that is not part of valid UTF-8 (overlong forms, surrogates and
/// code points above U+10FFFF are invalid), or npos when all of `text` is valid.
size_t FindInvalidUtf8(std::string_view text);
/// `text` when it has at most `max_bytes` bytes; otherwise its first `max_bytes` bytes (cut at a
/// UTF-8 character boundary) followed by "... (N bytes)", for echoing user input in errors.
std::string Abbreviate(std::string_view text, size_t max_bytes);

}  // namespace faceberg
