// Config and split inference as the HF `datasets` library does it (hf-hub-protocol.md section 2):
// README `configs:` front matter, the no-YAML default patterns, fsspec glob semantics, the
// hidden/special/ignored-file rules, allowed extensions and the builder choice by extension.
#include "bridge/discovery.h"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>

#include "bridge/properties.h"
#include "hub/hf_api.h"
#include "util/strings.h"

namespace faceberg::bridge {
namespace {

/// README.md is read whole; larger ones are refused rather than cut (a cut could hide the
/// closing "---" of the front matter and silently change the inference).
constexpr uint64_t kMaxReadmeBytes = uint64_t{16} << 20;

// ---------------------------------------------------------------------------------------------
// Text helpers

/// UTF-8 to code points, like Python's str. A byte that does not start a valid sequence becomes
/// 0xDC00 + byte (Python's "surrogateescape"), so every path has a decoding.
std::u32string DecodeUtf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    size_t length = byte < 0x80             ? 1
                    : (byte & 0xE0) == 0xC0 ? 2
                    : (byte & 0xF0) == 0xE0 ? 3
                    : (byte & 0xF8) == 0xF0 ? 4
                                            : 0;
    char32_t code = length == 1   ? byte
                    : length == 2 ? (byte & 0x1F)
                    : length == 3 ? (byte & 0x0F)
                                  : (byte & 0x07);
    bool valid = length > 0 && i + length <= text.size();
    for (size_t k = 1; valid && k < length; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xC0) == 0x80;
      code = (code << 6) | (next & 0x3F);
    }
    static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (valid && (code < kMin[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))) {
      valid = false;
    }
    if (!valid) {
      out.push_back(0xDC00 + byte);
      ++i;
    } else {
      out.push_back(code);
      i += length;
    }
  }
  return out;
}

/// Inverse of DecodeUtf8 (an escaped byte 0xDC80..0xDCFF becomes that byte again).
std::string EncodeUtf8(std::u32string_view text) {
  std::string out;
  for (char32_t c : text) {
    if (c >= 0xDC80 && c <= 0xDCFF) {
      out.push_back(static_cast<char>(c - 0xDC00));
    } else if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

std::vector<std::string_view> SplitOnSlash(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      parts.push_back(path.substr(start));
      return parts;
    }
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
}

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view DirName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

/// posixpath.join(base, relative) for a relative `relative`.
std::string JoinRelative(std::string_view base, std::string_view relative) {
  if (base.empty()) return std::string(relative);
  if (base.back() == '/') return fmt::format("{}{}", base, relative);
  return fmt::format("{}/{}", base, relative);
}

bool IsHiddenPart(std::string_view part) {
  return !part.empty() && part.front() == '.' &&
         part.find_first_not_of('.') != std::string_view::npos;
}

bool IsSpecialPart(std::string_view part) { return StartsWith(part, "__"); }

/// Python's `\w` for one byte of UTF-8 text: ASCII letters, digits and '_', and (approximately)
/// every non-ASCII character.
bool IsWordByte(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_';
}

/// `^\w+(\.\w+)*$`: the split names the datasets library accepts.
bool IsSplitName(std::string_view name) {
  if (name.empty()) return false;
  for (std::string_view word : Split(name, '.')) {
    if (word.empty() || !std::all_of(word.begin(), word.end(), IsWordByte)) return false;
  }
  return true;
}

bool IsPythonSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
         (c >= '\x1c' && c <= '\x1f');
}

int SplitRank(std::string_view split) {
  if (split == "train") return 0;
  if (split == "validation") return 1;
  if (split == "test") return 2;
  return 3;
}

/// train, validation, test first (those present), then the others in code point order.
void SortSplitNames(std::vector<std::string>& splits) {
  std::sort(splits.begin(), splits.end(), [](const std::string& a, const std::string& b) {
    int ra = SplitRank(a), rb = SplitRank(b);
    return ra != rb ? ra < rb : a < b;
  });
}

// ---------------------------------------------------------------------------------------------
// Glob matching with fsspec (>= 2023.12) semantics, the same as Python's glob.translate with
// recursive=True, include_hidden=True: a pattern is split on '/'; a "**" part matches zero or
// more whole directories (the last "**" matches everything below); a "*" part matches one
// non-empty name; other parts use fnmatch rules where '*' and '?' stay inside one name and
// "[...]" is a character class (ranges, '!' negation); matching is case-sensitive and by code
// point.

struct CharRange {
  char32_t lo = 0;
  char32_t hi = 0;
};

struct GlobToken {
  enum class Kind { kLiteral, kAnyChar, kStar, kClass, kNever };
  Kind kind = Kind::kLiteral;
  char32_t literal = 0;
  bool negated = false;
  std::vector<CharRange> ranges;

  /// For every kind but kStar: whether `c` is accepted.
  bool Accepts(char32_t c) const {
    switch (kind) {
      case Kind::kLiteral:
        return c == literal;
      case Kind::kAnyChar:
        return true;
      case Kind::kClass: {
        bool in = std::any_of(ranges.begin(), ranges.end(),
                              [c](const CharRange& r) { return c >= r.lo && c <= r.hi; });
        return in != negated;
      }
      case Kind::kNever:
      case Kind::kStar:
        return false;
    }
    return false;
  }
};

struct GlobPart {
  bool double_star = false;
  /// The part is exactly "*": one or more characters.
  bool whole_star = false;
  std::vector<GlobToken> tokens;
};

/// Parses a Python regex character set body (what fnmatch builds between '[' and ']') into
/// ranges: '\' escapes the next character, "a-b" is a range, a leading '^' negates, a leading
/// ']' is literal and a trailing '-' is literal.
GlobToken ParseRegexClass(const std::u32string& body) {
  GlobToken token;
  token.kind = GlobToken::Kind::kClass;
  size_t i = 0;
  if (i < body.size() && body[i] == U'^') {
    token.negated = true;
    ++i;
  }
  auto next_item = [&](char32_t& out) -> bool {
    if (i >= body.size()) return false;
    if (body[i] == U'\\' && i + 1 < body.size()) {
      out = body[i + 1];
      i += 2;
    } else {
      out = body[i++];
    }
    return true;
  };
  char32_t lo = 0;
  while (next_item(lo)) {
    if (i < body.size() && body[i] == U'-' && i + 1 < body.size()) {
      ++i;
      char32_t hi = 0;
      next_item(hi);
      if (hi >= lo) token.ranges.push_back({lo, hi});
    } else {
      token.ranges.push_back({lo, lo});
    }
  }
  return token;
}

/// fnmatch's translation of one path part (without '/') into tokens.
std::vector<GlobToken> TranslatePart(const std::u32string& pat) {
  std::vector<GlobToken> tokens;
  auto literal = [&](char32_t c) {
    GlobToken t;
    t.kind = GlobToken::Kind::kLiteral;
    t.literal = c;
    tokens.push_back(t);
  };
  size_t i = 0;
  const size_t n = pat.size();
  while (i < n) {
    char32_t c = pat[i++];
    if (c == U'*') {
      if (tokens.empty() || tokens.back().kind != GlobToken::Kind::kStar) {
        GlobToken t;
        t.kind = GlobToken::Kind::kStar;
        tokens.push_back(t);
      }
    } else if (c == U'?') {
      GlobToken t;
      t.kind = GlobToken::Kind::kAnyChar;
      tokens.push_back(t);
    } else if (c == U'[') {
      size_t j = i;
      if (j < n && pat[j] == U'!') ++j;
      if (j < n && pat[j] == U']') ++j;
      while (j < n && pat[j] != U']') ++j;
      if (j >= n) {
        literal(U'[');
        continue;
      }
      // The body between the brackets, with ranges validated as fnmatch does: hyphens that do
      // not make a range are escaped and empty ranges (z-a) are dropped.
      std::u32string stuff;
      auto escape = [](const std::u32string& s, bool hyphens) {
        std::u32string out;
        for (char32_t ch : s) {
          if (ch == U'\\' || (hyphens && ch == U'-') || ch == U'&' || ch == U'~' || ch == U'|') {
            out.push_back(U'\\');
          }
          out.push_back(ch);
        }
        return out;
      };
      std::u32string body = pat.substr(i, j - i);
      if (body.find(U'-') == std::u32string::npos) {
        stuff = escape(body, false);
      } else {
        std::vector<std::u32string> chunks;
        size_t start = i;
        size_t k = pat[i] == U'!' ? i + 2 : i + 1;
        while (true) {
          k = k < j ? pat.find(U'-', k) : std::u32string::npos;
          if (k == std::u32string::npos || k >= j) break;
          chunks.push_back(pat.substr(start, k - start));
          start = k + 1;
          k = k + 3;
        }
        std::u32string chunk = pat.substr(start, j - start);
        if (!chunk.empty()) {
          chunks.push_back(chunk);
        } else {
          chunks.back().push_back(U'-');
        }
        for (size_t m = chunks.size() - 1; m > 0; --m) {
          if (chunks[m - 1].empty() || chunks[m].empty()) continue;
          if (chunks[m - 1].back() > chunks[m].front()) {
            chunks[m - 1] = chunks[m - 1].substr(0, chunks[m - 1].size() - 1) + chunks[m].substr(1);
            chunks.erase(chunks.begin() + static_cast<std::ptrdiff_t>(m));
          }
        }
        for (size_t m = 0; m < chunks.size(); ++m) {
          if (m > 0) stuff.push_back(U'-');
          stuff += escape(chunks[m], true);
        }
      }
      i = j + 1;
      GlobToken t;
      if (stuff.empty()) {
        t.kind = GlobToken::Kind::kNever;
      } else if (stuff == U"!") {
        t.kind = GlobToken::Kind::kAnyChar;
      } else {
        if (stuff[0] == U'!') {
          stuff[0] = U'^';
        } else if (stuff[0] == U'^' || stuff[0] == U'[') {
          stuff.insert(stuff.begin(), U'\\');
        }
        t = ParseRegexClass(stuff);
      }
      tokens.push_back(std::move(t));
    } else {
      literal(c);
    }
  }
  return tokens;
}

bool MatchTokens(const std::vector<GlobToken>& tokens, const std::u32string& name) {
  size_t t = 0, c = 0;
  size_t star_t = std::string::npos, star_c = 0;
  while (c < name.size()) {
    if (t < tokens.size() && tokens[t].kind == GlobToken::Kind::kStar) {
      star_t = t++;
      star_c = c;
    } else if (t < tokens.size() && tokens[t].Accepts(name[c])) {
      ++t;
      ++c;
    } else if (star_t != std::string::npos) {
      t = star_t + 1;
      c = ++star_c;
    } else {
      return false;
    }
  }
  while (t < tokens.size() && tokens[t].kind == GlobToken::Kind::kStar) ++t;
  return t == tokens.size();
}

class Glob {
 public:
  /// Errors: InvalidArgument for "**" inside a part ("a**b"), as fsspec refuses it.
  static Result<Glob> Compile(std::string_view pattern) {
    Glob glob;
    glob.text_ = std::string(pattern);
    glob.has_magic_ = pattern.find_first_of("*?[") != std::string_view::npos;
    for (std::string_view part : SplitOnSlash(pattern)) {
      GlobPart compiled;
      if (part == "*") {
        compiled.whole_star = true;
      } else if (part == "**") {
        compiled.double_star = true;
        ++glob.double_stars_;
      } else if (part.find("**") != std::string_view::npos) {
        return InvalidArgument(
            "pattern '{}' has '**' inside a path part; '**' must be a whole part, as in "
            "'data/**/*.parquet'",
            pattern);
      } else {
        compiled.tokens = TranslatePart(DecodeUtf8(part));
        // The longest run of literal characters must appear somewhere in a matching path.
        std::u32string run, longest;
        for (const GlobToken& token : compiled.tokens) {
          if (token.kind == GlobToken::Kind::kLiteral) {
            run.push_back(token.literal);
            if (run.size() > longest.size()) longest = run;
          } else {
            run.clear();
          }
        }
        if (longest.size() >= 2) glob.required_.push_back(EncodeUtf8(longest));
      }
      if (!compiled.double_star && !compiled.whole_star &&
          part.find_first_of("*?[") == std::string_view::npos) {
        glob.literal_parts_.push_back(DecodeUtf8(part));
      }
      glob.parts_.push_back(std::move(compiled));
    }
    // The folders before the first wildcard: every match starts with them.
    std::vector<std::string_view> parts = SplitOnSlash(pattern);
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      if (parts[i].find_first_of("*?[") != std::string_view::npos) break;
      glob.prefix_ += std::string(parts[i]) + "/";
    }
    return glob;
  }

  const std::string& text() const { return text_; }
  bool has_magic() const { return has_magic_; }
  /// A byte prefix of every path the pattern can match ("data/" for "data/*/x").
  const std::string& prefix() const { return prefix_; }

  /// Whether `path`, split into `names` (decoded), matches.
  bool Matches(std::string_view path, const std::vector<std::u32string>& names) const {
    // Cheap rejects: literal runs appear in the path, the last part (unless "**") matches the
    // last name, and every part without wildcards equals some name.
    for (const std::string& run : required_) {
      if (path.find(run) == std::string_view::npos) return false;
    }
    const GlobPart& last = parts_.back();
    if (names.empty()) return false;
    if (!last.double_star && !last.whole_star && !MatchTokens(last.tokens, names.back())) {
      return false;
    }
    for (const std::u32string& literal : literal_parts_) {
      if (std::find(names.begin(), names.end(), literal) == names.end()) return false;
    }
    if (double_stars_ <= 1) return MatchFrom(0, 0, names, nullptr);
    // Several "**" could backtrack exponentially: memoize (part, name) pairs.
    std::vector<signed char> memo((parts_.size() + 1) * (names.size() + 1), -1);
    return MatchFrom(0, 0, names, &memo);
  }

 private:
  bool MatchFrom(size_t pi, size_t ni, const std::vector<std::u32string>& names,
                 std::vector<signed char>* memo) const {
    size_t slot = pi * (names.size() + 1) + ni;
    if (memo && (*memo)[slot] >= 0) return (*memo)[slot] != 0;
    bool result = false;
    if (pi == parts_.size()) {
      result = ni == names.size();
    } else if (parts_[pi].double_star) {
      if (pi + 1 == parts_.size()) {
        result = ni < names.size();  // ".*" after a '/': at least one more name
      } else {
        for (size_t k = ni; k <= names.size() && !result; ++k) {
          result = MatchFrom(pi + 1, k, names, memo);
        }
      }
    } else if (ni < names.size()) {
      const GlobPart& part = parts_[pi];
      bool here = part.whole_star ? !names[ni].empty() : MatchTokens(part.tokens, names[ni]);
      result = here && MatchFrom(pi + 1, ni + 1, names, memo);
    }
    if (memo) (*memo)[slot] = result ? 1 : 0;
    return result;
  }

  std::string text_;
  std::string prefix_;
  std::vector<GlobPart> parts_;
  std::vector<std::u32string> literal_parts_;
  std::vector<std::string> required_;
  bool has_magic_ = false;
  int double_stars_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Builders and extensions (datasets' packaged_modules table).

struct Module {
  std::string name;
  /// Builder arguments that make two uses of one builder differ (".tsv" is csv with a tab).
  std::string kwargs;
  bool operator==(const Module&) const = default;
};

std::string ToUpper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

struct ModuleTables {
  std::unordered_map<std::string, Module> by_extension;
  std::map<std::string, std::vector<std::string>> extensions_of;  // module -> extensions
  std::set<std::string> allowed;                                  // every allowed extension
  std::set<std::string> metadata_file_names;
  std::map<std::string, std::vector<std::string>> metadata_files_of;
  std::map<std::string, std::vector<std::string>> metadata_extensions_of;
};

const ModuleTables& Modules() {
  static const ModuleTables tables = [] {
    ModuleTables t;
    std::vector<std::pair<std::string, Module>> entries = {
        {".csv", {"csv", ""}},
        {".tsv", {"csv", "sep=\\t"}},
        {".json", {"json", ""}},
        {".jsonl", {"json", ""}},
        {".ndjson", {"json", ""}},
        {".parquet", {"parquet", ""}},
        {".geoparquet", {"parquet", ""}},
        {".gpq", {"parquet", ""}},
        {".arrow", {"arrow", ""}},
        {".txt", {"text", ""}},
        {".conll", {"conll", ""}},
        {".conllu", {"conll", "comment_prefix=#"}},
        {".tar", {"webdataset", ""}},
        {".xml", {"xml", ""}},
        {".hdf5", {"hdf5", ""}},
        {".h5", {"hdf5", ""}},
        {".eval", {"eval", ""}},
        {".lance", {"lance", ""}},
        {".tsfile", {"tsfile", ""}},
    };
    auto add_folder = [&](const std::string& module, std::initializer_list<const char*> exts) {
      for (const char* ext : exts) entries.push_back({ext, {module, ""}});
      for (const char* ext : exts) entries.push_back({ToUpper(ext), {module, ""}});
    };
    add_folder("imagefolder",
               {".blp",  ".bmp", ".dib",  ".bufr", ".cur",  ".pcx",  ".dcx",  ".dds", ".ps",
                ".eps",  ".fit", ".fits", ".fli",  ".flc",  ".ftc",  ".ftu",  ".gbr", ".gif",
                ".grib", ".png", ".apng", ".jp2",  ".j2k",  ".jpc",  ".jpf",  ".jpx", ".j2c",
                ".icns", ".ico", ".im",   ".iim",  ".tif",  ".tiff", ".jfif", ".jpe", ".jpg",
                ".jpeg", ".mpg", ".mpeg", ".msp",  ".pcd",  ".pxr",  ".pbm",  ".pgm", ".ppm",
                ".pnm",  ".psd", ".bw",   ".rgb",  ".rgba", ".sgi",  ".ras",  ".tga", ".icb",
                ".vda",  ".vst", ".webp", ".wmf",  ".emf",  ".xbm",  ".xpm"});
    add_folder("audiofolder",
               {".aiff",  ".au",   ".avr", ".caf",  ".flac",  ".htk",  ".svx", ".mat4", ".mat5",
                ".mpc2k", ".ogg",  ".paf", ".pvf",  ".raw",   ".rf64", ".sd2", ".sds",  ".ircam",
                ".voc",   ".w64",  ".wav", ".nist", ".wavex", ".wve",  ".xi",  ".mp3",  ".opus",
                ".3gp",   ".3g2",  ".avi", ".asf",  ".flv",   ".mp4",  ".mov", ".m4v",  ".mkv",
                ".mpg",   ".webm", ".f4v", ".wmv",  ".wma",   ".ogm",  ".mxf", ".nut"});
    add_folder("videofolder", {".mkv", ".mp4", ".avi", ".mpeg", ".mov"});
    add_folder("meshfolder", {".glb", ".ply", ".stl"});
    add_folder("pdffolder", {".pdf"});
    add_folder("niftifolder", {".nii"});
    // Later entries win, as with dict.update in Python; the extension lists keep first-seen order.
    for (auto& [ext, module] : entries) {
      auto it = t.by_extension.find(ext);
      if (it != t.by_extension.end()) {
        auto& old = t.extensions_of[it->second.name];
        old.erase(std::remove(old.begin(), old.end(), ext), old.end());
      }
      t.by_extension[ext] = module;
      t.extensions_of[module.name].push_back(ext);
      t.allowed.insert(ext);
    }
    for (auto& [module, exts] : t.extensions_of) exts.push_back(".zip");
    t.allowed.insert(".zip");
    for (const char* ext : {".idx", ".txn", ".manifest"}) {
      t.allowed.insert(ext);
      t.metadata_extensions_of["lance"].push_back(ext);
    }
    std::vector<std::string> folder_metadata = {"metadata.csv", "metadata.jsonl",
                                                "metadata.parquet"};
    for (const char* module :
         {"imagefolder", "audiofolder", "videofolder", "meshfolder", "pdffolder", "niftifolder"}) {
      t.metadata_files_of[module] = folder_metadata;
    }
    t.metadata_files_of["lance"] = {"latest_version_hint.json"};
    for (auto& [module, names] : t.metadata_files_of) {
      t.metadata_file_names.insert(names.begin(), names.end());
    }
    return t;
  }();
  return tables;
}

/// Whether any dotted suffix of the base name is an allowed extension ("x.json.gz" is: json).
bool HasAllowedExtension(std::string_view base_name) {
  const auto& allowed = Modules().allowed;
  std::vector<std::string> pieces = Split(base_name, '.');
  for (size_t i = 1; i < pieces.size(); ++i) {
    if (allowed.count("." + pieces[i])) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// The files of a repo, prepared for matching.

struct IndexedFile {
  const RepoFile* file = nullptr;
  std::vector<std::u32string> names;
  std::string_view base_name;
  int hidden_parts = 0;
  int special_parents = 0;
  bool allowed_extension = false;
};

IndexedFile IndexFile(const RepoFile& f) {
  IndexedFile indexed;
  indexed.file = &f;
  std::vector<std::string_view> parts = SplitOnSlash(f.path);
  for (size_t i = 0; i < parts.size(); ++i) {
    indexed.names.push_back(DecodeUtf8(parts[i]));
    if (IsHiddenPart(parts[i])) ++indexed.hidden_parts;
    if (i + 1 < parts.size() && IsSpecialPart(parts[i])) ++indexed.special_parents;
  }
  indexed.base_name = BaseName(f.path);
  indexed.allowed_extension = HasAllowedExtension(indexed.base_name);
  return indexed;
}

/// The files of a repo sorted by path (fsspec's glob returns paths sorted: code point order,
/// which the byte order of UTF-8 keeps), each listed once. Refers to the RepoFiles it was made
/// from, which must outlive it. Copies share the files.
class FileIndex {
 public:
  explicit FileIndex(std::span<const RepoFile> files) {
    std::vector<const RepoFile*> sorted;
    sorted.reserve(files.size());
    for (const RepoFile& f : files) sorted.push_back(&f);
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const RepoFile* a, const RepoFile* b) { return a->path < b->path; });
    auto indexed = std::make_shared<std::vector<IndexedFile>>();
    indexed->reserve(sorted.size());
    for (const RepoFile* f : sorted) {
      if (!indexed->empty() && indexed->back().file->path == f->path) continue;  // listed twice
      indexed->push_back(IndexFile(*f));
    }
    files_ = std::move(indexed);
  }

  /// This index plus `extra` (a path it does not hold), without copying the files.
  FileIndex WithExtra(const RepoFile& extra) const {
    FileIndex out = *this;
    out.extra_ = IndexFile(extra);
    return out;
  }

  /// Calls `visit` for each file whose path starts with `prefix` (exactly `prefix` when `exact`),
  /// in path order.
  template <typename Visit>
  void ForEach(std::string_view prefix, bool exact, Visit&& visit) const {
    // compare(), not <: clang 14 rejects libstdc++ 12's <=> on string_view.
    auto less = [](const IndexedFile& f, std::string_view p) {
      return f.file->path.compare(p) < 0;
    };
    auto it = std::lower_bound(files_->begin(), files_->end(), prefix, less);
    auto in_range = [&](const std::string& path) {
      return exact ? path == prefix : StartsWith(path, prefix);
    };
    bool extra_pending = extra_.has_value() && in_range(extra_->file->path);
    for (; it != files_->end() && in_range(it->file->path); ++it) {
      if (extra_pending && extra_->file->path < it->file->path) {
        visit(*extra_);
        extra_pending = false;
      }
      visit(*it);
    }
    if (extra_pending) visit(*extra_);
  }

 private:
  std::shared_ptr<const std::vector<IndexedFile>> files_;
  std::optional<IndexedFile> extra_;
};

/// resolve_pattern: the files `glob` matches (sorted), without the never-data names (unless the
/// pattern names one), files in hidden or "__" folders or hidden files (unless the pattern has as
/// many hidden / "__" parts), and, with `check_extensions`, files with no allowed extension.
std::vector<const IndexedFile*> Resolve(const FileIndex& index, const Glob& glob,
                                        bool check_extensions) {
  static const std::set<std::string_view> kNeverData = {"README.md",         "config.json",
                                                        "dataset_info.json", "dataset_infos.json",
                                                        "dummy_data.zip",    "dataset_dict.json"};
  std::string_view pattern = glob.text();
  std::vector<std::string_view> parts;
  for (std::string_view part : SplitOnSlash(pattern)) {
    if (!part.empty() && part != ".") parts.push_back(part);  // as PurePath normalizes
  }
  int pattern_hidden = 0, pattern_special = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (IsHiddenPart(parts[i])) ++pattern_hidden;
    if (i + 1 < parts.size() && IsSpecialPart(parts[i])) ++pattern_special;
  }
  std::string_view pattern_base = BaseName(pattern);
  std::vector<const IndexedFile*> out;
  // A pattern without wildcards names one path (fsspec checks that it exists).
  bool exact = !glob.has_magic();
  index.ForEach(exact ? pattern : std::string_view(glob.prefix()), exact,
                [&](const IndexedFile& f) {
                  if (!exact && !glob.Matches(f.file->path, f.names)) return;
                  if (kNeverData.count(f.base_name) && f.base_name != pattern_base) return;
                  if (f.special_parents != pattern_special || f.hidden_parts != pattern_hidden) {
                    return;
                  }
                  if (check_extensions && !f.allowed_extension) return;
                  out.push_back(&f);
                });
  return out;
}

// ---------------------------------------------------------------------------------------------
// README front matter and its `configs:` block.

/// The YAML of a README front matter with the README line its first line is on, found as
/// huggingface_hub's RepoCard does: optional leading whitespace, "---", one or more line breaks,
/// the shortest text up to line breaks followed by "---" and a line end or the end of the text.
struct FrontMatter {
  std::string_view yaml;
  int first_line = 1;
};

std::optional<FrontMatter> FindFrontMatter(std::string_view text) {
  auto is_break = [](char c) { return c == '\n' || c == '\r'; };
  auto closes_at = [&](size_t p) {  // "---" then \r\n, \n or the end, at p
    if (text.substr(p, 3) != "---") return false;
    std::string_view rest = text.substr(p + 3);
    return rest.empty() || rest.front() == '\n' || StartsWith(rest, "\r\n");
  };
  size_t pos = 0;
  while (pos < text.size() && IsPythonSpace(text[pos])) ++pos;
  if (text.substr(pos, 3) != "---") return std::nullopt;
  size_t open_end = pos + 3;
  size_t run_end = open_end;
  while (run_end < text.size() && is_break(text[run_end])) ++run_end;
  if (run_end == open_end) return std::nullopt;
  auto make = [&](size_t start, size_t end) {
    FrontMatter fm;
    fm.yaml = text.substr(start, end - start);
    fm.first_line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + start, '\n'));
    return fm;
  };
  // The shortest body after the whole run of line breaks: it ends where a run of line breaks is
  // followed by the closing "---".
  size_t p = run_end;
  while (p < text.size()) {
    if (!is_break(text[p])) {
      ++p;
      continue;
    }
    size_t q = p;
    while (q < text.size() && is_break(text[q])) ++q;
    if (closes_at(q)) return make(run_end, p);
    p = q;
  }
  // Otherwise the regex gives back one line break of the opening run: an empty body closed
  // right after the opening run.
  if (run_end - open_end >= 2 && closes_at(run_end)) return make(run_end - 1, run_end - 1);
  return std::nullopt;
}

/// One entry of the README `configs:` list.
struct YamlConfig {
  std::string name;
  int line = 0;
  /// split -> patterns, in YAML order; nullopt when the entry has no data_files.
  std::optional<std::vector<std::pair<std::string, std::vector<std::string>>>> data_files;
  std::string data_dir;
  bool is_default = false;
};

struct ReadmeYaml {
  std::vector<YamlConfig> configs;
};

/// Python truthiness of a value PyYAML would load (YAML 1.1 booleans, null, 0).
bool Truthy(const YAML::Node& node) {
  if (node.IsNull() || !node.IsDefined()) return false;
  if (node.IsSequence() || node.IsMap()) return node.size() > 0;
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return !text.empty();  // quoted: a string
  std::string lower = ToLower(text);
  if (lower == "false" || lower == "no" || lower == "off" || lower == "null" || lower == "~" ||
      lower.empty()) {
    return false;
  }
  if (auto number = ParseInt64(text)) return *number != 0;
  if (lower == "0.0" || lower == ".0" || lower == "0." || lower == "-0.0" || lower == "+0.0") {
    return false;
  }
  return true;
}

class ReadmeReader {
 public:
  explicit ReadmeReader(int first_line) : first_line_(first_line) {}

  template <typename... Args>
  Status Error(const YAML::Node& node, fmt::format_string<Args...> format, Args&&... args) const {
    int line = first_line_ + std::max(0, node.Mark().line);
    return InvalidArgument(
        "README.md line {}: {}; fix the configs block of the README front matter", line,
        fmt::format(format, std::forward<Args>(args)...));
  }

  Result<std::string> Scalar(const YAML::Node& node, std::string_view what) const {
    if (!node.IsScalar() || node.Scalar().empty()) {
      return Error(node, "{} must be a non-empty string", what);
    }
    return node.Scalar();
  }

  /// sanitize_patterns plus the YAML checks of MetadataConfigs: a string or a list of strings
  /// (split train), or a list of {split, path: str | [str]} (unique, valid split names).
  Result<std::vector<std::pair<std::string, std::vector<std::string>>>> DataFiles(
      const YAML::Node& node, std::string_view config) const {
    std::vector<std::pair<std::string, std::vector<std::string>>> out;
    if (node.IsScalar()) {
      out.push_back({"train", {node.Scalar()}});
      return out;
    }
    if (!node.IsSequence()) {
      return Error(node,
                   "data_files of config '{}' must be a string, a list of strings or a list of "
                   "{{split, path}} entries",
                   config);
    }
    bool any_map = false;
    for (const YAML::Node& item : node) any_map = any_map || item.IsMap();
    if (!any_map) {
      std::vector<std::string> patterns;
      for (const YAML::Node& item : node) {
        if (!item.IsScalar()) {
          return Error(item, "data_files of config '{}' lists something that is not a path",
                       config);
        }
        patterns.push_back(item.Scalar());
      }
      out.push_back({"train", std::move(patterns)});
      return out;
    }
    std::set<std::string> seen;
    for (const YAML::Node& item : node) {
      if (!item.IsMap() || item.size() != 2 || !item["split"] || !item["path"]) {
        return Error(item,
                     "each data_files entry of config '{}' must have exactly the keys 'split' and "
                     "'path'",
                     config);
      }
      ASSIGN_OR_RETURN(std::string split, Scalar(item["split"], "a data_files split"));
      if (!IsSplitName(split)) {
        return Error(item["split"],
                     "split name '{}' of config '{}' is not valid (letters, digits and '_', "
                     "dot-separated)",
                     split, config);
      }
      if (!seen.insert(split).second) {
        return Error(item, "split '{}' appears twice in data_files of config '{}'", split, config);
      }
      const YAML::Node path = item["path"];
      std::vector<std::string> patterns;
      if (path.IsScalar()) {
        patterns.push_back(path.Scalar());
      } else if (path.IsSequence()) {
        for (const YAML::Node& p : path) {
          if (!p.IsScalar()) {
            return Error(p, "path of split '{}' in config '{}' lists something that is not a path",
                         split, config);
          }
          patterns.push_back(p.Scalar());
        }
      } else {
        return Error(item,
                     "path of split '{}' in config '{}' must be a string or a list of strings",
                     split, config);
      }
      out.push_back({split, std::move(patterns)});
    }
    return out;
  }

  Result<std::optional<ReadmeYaml>> Read(const YAML::Node& root) const {
    if (root.IsNull()) return std::optional<ReadmeYaml>();
    if (!root.IsMap()) return Error(root, "the front matter must be a mapping");
    YAML::Node configs;
    for (const auto& pair : root) {  // a repeated key: the last one wins
      if (pair.first.IsScalar() && pair.first.Scalar() == "configs") configs.reset(pair.second);
    }
    if (!Truthy(configs)) return std::optional<ReadmeYaml>();
    if (!configs.IsSequence()) return Error(configs, "'configs' must be a list");
    ReadmeYaml readme;
    std::map<std::string, int> names;
    for (const YAML::Node& entry : configs) {
      if (!entry.IsMap()) return Error(entry, "each item of 'configs' must be a mapping");
      YamlConfig config;
      config.line = first_line_ + std::max(0, entry.Mark().line);
      YAML::Node name_node, data_files, data_dir, is_default;
      bool has_name = false;
      for (const auto& pair : entry) {
        if (!pair.first.IsScalar()) continue;
        const std::string key = pair.first.Scalar();
        // reset(), not assignment: assigning a YAML::Node rewrites the node it refers to.
        if (key == "config_name") name_node.reset(pair.second), has_name = true;
        if (key == "data_files") data_files.reset(pair.second);
        if (key == "data_dir") data_dir.reset(pair.second);
        if (key == "default") is_default.reset(pair.second);
      }
      if (!has_name) return Error(entry, "a config has no config_name");
      ASSIGN_OR_RETURN(config.name, Scalar(name_node, "config_name"));
      auto [previous, inserted] = names.emplace(config.name, config.line);
      if (!inserted) {
        return Error(entry, "config '{}' is declared twice (first at line {})", config.name,
                     previous->second);
      }
      if (data_files && !data_files.IsNull()) {
        ASSIGN_OR_RETURN(config.data_files, DataFiles(data_files, config.name));
      }
      if (data_dir && !data_dir.IsNull()) {
        if (!data_dir.IsScalar()) return Error(data_dir, "data_dir must be a string");
        config.data_dir = data_dir.Scalar();
      }
      config.is_default = Truthy(is_default);
      readme.configs.push_back(std::move(config));
    }
    return std::optional<ReadmeYaml>(std::move(readme));
  }

 private:
  int first_line_;
};

/// The README `configs:` block, or nullopt when the README has no front matter or no configs.
Result<std::optional<ReadmeYaml>> ReadReadmeConfigs(std::string_view readme) {
  std::optional<FrontMatter> front = FindFrontMatter(readme);
  if (!front) return std::optional<ReadmeYaml>();
  ReadmeReader reader(front->first_line);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(front->yaml));
  } catch (const YAML::DeepRecursion& e) {
    return InvalidArgument("README.md line {}: the front matter is nested too deeply",
                           front->first_line + std::max(0, e.mark.line));
  } catch (const YAML::Exception& e) {
    return InvalidArgument(
        "README.md line {}: the front matter is not valid YAML ({}); fix the README",
        front->first_line + std::max(0, e.mark.line), e.msg);
  } catch (const std::exception& e) {
    return InvalidArgument("README.md: cannot read the front matter: {}", e.what());
  }
  return reader.Read(root);
}

/// get_default_config_name: the only config, else the one named "default" or flagged
/// `default: true`. Errors: InvalidArgument when several qualify.
Result<std::optional<std::string>> DefaultConfigName(const ReadmeYaml& readme) {
  std::optional<std::string> found;
  for (const YamlConfig& config : readme.configs) {
    if (readme.configs.size() == 1 || config.name == "default" || config.is_default) {
      if (found) {
        return InvalidArgument(
            "README.md declares several default configs, '{}' and '{}'; flag one config with "
            "default: true",
            *found, config.name);
      }
      found = config.name;
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// The no-YAML rules (get_data_patterns).

using SplitPatterns = std::vector<std::pair<std::string, std::vector<std::string>>>;

constexpr char kShardedPattern[] =
    "data/{split}-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]*.*";

std::string ShardedPatternFor(std::string_view split) {
  std::string pattern = kShardedPattern;
  pattern.replace(pattern.find("{split}"), 7, split);
  return pattern;
}

/// The split of a file matched by the sharded pattern, as datasets' string_to_dict reads it:
/// the longest prefix of the base name followed by "-DDDDD-of-DDDD".
std::optional<std::string> ShardedSplitOf(std::string_view base_name) {
  auto digits = [&](size_t at, size_t count) {
    if (at + count > base_name.size()) return false;
    for (size_t k = 0; k < count; ++k) {
      if (base_name[at + k] < '0' || base_name[at + k] > '9') return false;
    }
    return true;
  };
  for (size_t p = base_name.size(); p-- > 1;) {
    if (base_name[p] == '-' && digits(p + 1, 5) && base_name.substr(p + 6, 4) == "-of-" &&
        digits(p + 10, 4)) {
      return std::string(base_name.substr(0, p));
    }
  }
  return std::nullopt;
}

const std::vector<SplitPatterns>& DefaultPatternRules() {
  static const std::vector<SplitPatterns> rules = [] {
    const std::vector<std::pair<std::string, std::vector<std::string>>> keywords = {
        {"train", {"train", "training"}},
        {"validation", {"validation", "valid", "dev", "val"}},
        {"test", {"test", "testing", "eval", "evaluation"}}};
    const std::string sep = "[-._ 0-9]";
    auto build = [&](const std::vector<std::string>& forms) {
      SplitPatterns rule;
      for (const auto& [split, words] : keywords) {
        std::vector<std::string> patterns;
        for (const std::string& word : words) {
          for (const std::string& form : forms) {
            std::string p = form;
            for (size_t at; (at = p.find("{kw}")) != std::string::npos;) p.replace(at, 4, word);
            for (size_t at; (at = p.find("{sep}")) != std::string::npos;) p.replace(at, 5, sep);
            patterns.push_back(p);
          }
        }
        rule.push_back({split, patterns});
      }
      return rule;
    };
    std::vector<SplitPatterns> all;
    all.push_back({{"logs", {"**/*.eval"}}});
    all.push_back(
        build({"**/{kw}/**", "**/{kw}{sep}*/**", "**/*{sep}{kw}/**", "**/*{sep}{kw}{sep}*/**"}));
    all.push_back(build({"**/{kw}{sep}*", "**/*{sep}{kw}{sep}*"}));
    all.push_back({{"train", {"**"}}});
    return all;
  }();
  return rules;
}

/// get_data_patterns under `base`: split -> patterns (relative to base) of the first rule that
/// finds a file; empty when none does. Errors: InvalidArgument for sharded file names whose split
/// cannot be read or is not a valid split name (the datasets library fails on them too).
Result<SplitPatterns> DefaultPatterns(const FileIndex& index, std::string_view base) {
  ASSIGN_OR_RETURN(Glob sharded, Glob::Compile(JoinRelative(base, ShardedPatternFor("*"))));
  std::vector<const IndexedFile*> shards = Resolve(index, sharded, /*check_extensions=*/false);
  if (!shards.empty()) {
    std::set<std::string> splits;
    for (const IndexedFile* f : shards) {
      std::optional<std::string> split = ShardedSplitOf(f->base_name);
      if (!split) {
        return InvalidArgument(
            "cannot read a split name from '{}' (data/SPLIT-NNNNN-of-NNNNN.*); rename the file",
            f->file->path);
      }
      if (!IsSplitName(*split)) {
        return InvalidArgument(
            "'{}' names split '{}', which is not a valid split name (letters, digits and '_', "
            "dot-separated); rename the file",
            f->file->path, *split);
      }
      splits.insert(*split);
    }
    std::vector<std::string> ordered(splits.begin(), splits.end());
    SortSplitNames(ordered);
    SplitPatterns out;
    for (const std::string& split : ordered) out.push_back({split, {ShardedPatternFor(split)}});
    return out;
  }
  for (const SplitPatterns& rule : DefaultPatternRules()) {
    SplitPatterns out;
    for (const auto& [split, patterns] : rule) {
      for (const std::string& pattern : patterns) {
        ASSIGN_OR_RETURN(Glob glob, Glob::Compile(JoinRelative(base, pattern)));
        if (!Resolve(index, glob, /*check_extensions=*/false).empty()) {
          out.push_back({split, patterns});
          break;
        }
      }
    }
    if (!out.empty()) return out;
  }
  return SplitPatterns();
}

// ---------------------------------------------------------------------------------------------
// Builder choice (infer_module_for_data_files_list) and the extension filter.

/// The module for one split's files: count every dotted suffix (lower-cased), the most common
/// known one wins; ties prefer .parquet, .lance, .arrow, .jsonl, .json, .csv, then the larger
/// extension string; metadata files count last. ".zip" would need a look inside the archives,
/// which faceberg does not do: it is reported as the builder "zip". nullopt: no known extension.
std::optional<Module> InferModule(const std::vector<const IndexedFile*>& files) {
  const ModuleTables& tables = Modules();
  std::map<std::pair<std::string, bool>, int64_t> counter;
  for (const IndexedFile* f : files) {
    bool is_metadata = tables.metadata_file_names.count(std::string(f->base_name)) > 0;
    std::vector<std::string> pieces = Split(f->base_name, '.');
    for (size_t i = 1; i < pieces.size(); ++i) ++counter[{"." + ToLower(pieces[i]), is_metadata}];
  }
  using Entry = std::pair<std::pair<std::string, bool>, int64_t>;
  std::vector<Entry> entries(counter.begin(), counter.end());
  auto key = [](const Entry& e) {
    const std::string& ext = e.first.first;
    return std::make_tuple(!e.first.second, e.second, ext == ".parquet", ext == ".lance",
                           ext == ".arrow", ext == ".jsonl", ext == ".json", ext == ".csv", ext);
  };
  std::sort(entries.begin(), entries.end(),
            [&](const Entry& a, const Entry& b) { return key(a) > key(b); });
  for (const Entry& e : entries) {
    const std::string& ext = e.first.first;
    auto it = tables.by_extension.find(ext);
    if (it != tables.by_extension.end()) return it->second;
    if (ext == ".zip") return Module{"zip", ""};
  }
  return std::nullopt;
}

/// DataFilesList.filter: keeps files whose path has one of the module's extensions (optionally
/// followed by ".anything") or ends with one of its metadata file names.
bool KeptByModule(const IndexedFile& f, const Module& module) {
  if (module.name == "zip") return true;
  const ModuleTables& tables = Modules();
  const std::string& path = f.file->path;
  auto has_extension = [&](const std::string& ext) {
    for (size_t at = path.find(ext); at != std::string::npos; at = path.find(ext, at + 1)) {
      size_t end = at + ext.size();
      if (end == path.size() || (path[end] == '.' && end + 1 < path.size())) return true;
    }
    return false;
  };
  static const std::vector<std::string> kNone;
  auto lookup = [](const auto& map, const std::string& name) -> const std::vector<std::string>& {
    auto it = map.find(name);
    return it == map.end() ? kNone : it->second;
  };
  for (const std::string& ext : lookup(tables.extensions_of, module.name)) {
    if (has_extension(ext)) return true;
  }
  for (const std::string& ext : lookup(tables.metadata_extensions_of, module.name)) {
    if (has_extension(ext)) return true;
  }
  for (const std::string& name : lookup(tables.metadata_files_of, module.name)) {
    if (EndsWith(path, name)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Config inference.

/// Resolves `patterns` (relative to `base`) into split files, picks the builder and filters the
/// files to it. `strict`: a pattern without wildcards that names no data file is an error (as in
/// the datasets library for data_files). nullopt when no split has a data file.
Result<std::optional<ConfigLayout>> BuildConfig(const FileIndex& index, std::string_view name,
                                                std::string_view base,
                                                const SplitPatterns& patterns, bool strict) {
  struct Resolved {
    std::string split;
    std::vector<const IndexedFile*> files;
    Module module;
  };
  std::vector<Resolved> splits;
  for (const auto& [split, split_patterns] : patterns) {
    Resolved resolved;
    resolved.split = split;
    for (const std::string& pattern : split_patterns) {
      if (StartsWith(pattern, "/") || pattern.find("://") != std::string::npos ||
          StartsWith(base, "/") || base.find("://") != std::string_view::npos) {
        return InvalidArgument(
            "config '{}' split '{}': pattern '{}' points outside the repository; faceberg reads "
            "only the repository's own files",
            name, split, JoinRelative(base, pattern));
      }
      ASSIGN_OR_RETURN(Glob glob, Glob::Compile(JoinRelative(base, pattern)));
      std::vector<const IndexedFile*> found = Resolve(index, glob, /*check_extensions=*/true);
      if (found.empty() && strict && !glob.has_magic()) {
        return InvalidArgument(
            "config '{}' split '{}' names '{}', which is not a data file of the repository; fix "
            "the data_files of the README",
            name, split, glob.text());
      }
      resolved.files.insert(resolved.files.end(), found.begin(), found.end());
    }
    if (resolved.files.empty()) continue;  // a split without data files is left out
    std::optional<Module> module = InferModule(resolved.files);
    resolved.module = module ? *module : Module{"", ""};
    splits.push_back(std::move(resolved));
  }
  if (splits.empty()) return std::optional<ConfigLayout>();
  const Module& module = splits.front().module;
  for (const Resolved& r : splits) {
    if (!(r.module == module)) {
      auto label = [](const Module& m) {
        if (m.name.empty()) return std::string("unknown");
        return m.kwargs.empty() ? m.name : fmt::format("{} ({})", m.name, m.kwargs);
      };
      return InvalidArgument(
          "config '{}' mixes data formats: split '{}' is {} and split '{}' is {}; the datasets "
          "library cannot read it either",
          name, splits.front().split, label(module), r.split, label(r.module));
    }
  }
  if (module.name.empty()) return std::optional<ConfigLayout>();  // no supported data files
  ConfigLayout layout;
  layout.name = std::string(name);
  layout.format = module.name;
  for (const Resolved& r : splits) {
    SplitFiles split;
    split.split = r.split;
    for (const IndexedFile* f : r.files) {
      if (KeptByModule(*f, module)) split.files.push_back(*f->file);
    }
    if (!split.files.empty()) layout.splits.push_back(std::move(split));
  }
  if (layout.splits.empty()) return std::optional<ConfigLayout>();
  return std::optional<ConfigLayout>(std::move(layout));
}

Result<std::vector<ConfigLayout>> InferFromIndex(const FileIndex& index,
                                                 const std::optional<ReadmeYaml>& readme) {
  std::vector<ConfigLayout> out;
  if (!readme) {
    ASSIGN_OR_RETURN(SplitPatterns patterns, DefaultPatterns(index, ""));
    ASSIGN_OR_RETURN(auto config, BuildConfig(index, "default", "", patterns, false));
    if (config) {
      config->is_default = true;
      out.push_back(std::move(*config));
    }
    return out;
  }
  ASSIGN_OR_RETURN(std::optional<std::string> default_name, DefaultConfigName(*readme));
  for (const YamlConfig& yaml : readme->configs) {
    std::optional<ConfigLayout> config;
    if (yaml.data_files) {
      ASSIGN_OR_RETURN(config, BuildConfig(index, yaml.name, yaml.data_dir, *yaml.data_files,
                                           /*strict=*/true));
    } else {
      ASSIGN_OR_RETURN(SplitPatterns patterns, DefaultPatterns(index, yaml.data_dir));
      ASSIGN_OR_RETURN(config, BuildConfig(index, yaml.name, yaml.data_dir, patterns, false));
    }
    if (!config) continue;
    config->is_default = default_name && *default_name == yaml.name;
    out.push_back(std::move(*config));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// refs/convert/parquet

/// "{split}-part{k}" -> ("{split}", k); other names -> (name, -1).
std::pair<std::string_view, int64_t> StripPartSuffix(std::string_view name) {
  size_t at = name.rfind("-part");
  if (at == std::string_view::npos || at == 0) return {name, -1};
  std::string_view digits = name.substr(at + 5);
  if (digits.empty() || digits.size() > 9 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return {name, -1};
  }
  return {name.substr(0, at), *ParseInt64(digits)};
}

// ---------------------------------------------------------------------------------------------
// NewDataFilePath

bool IsHex(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

/// A concrete path that `pattern` (relative to the repo root) matches, for a new Parquet file of
/// `split`: "**" parts are dropped, wildcards in folder names become the split name, the file
/// name gets "{split}-00000-of-00001-{unique}" for its first '*'. nullopt for a pattern without
/// wildcards in its file name (it names one existing file).
std::optional<std::string> PathFromPattern(std::string_view pattern, std::string_view split,
                                           std::string_view unique) {
  std::vector<std::string_view> parts = SplitOnSlash(pattern);
  std::string shard = fmt::format("00000-of-00001-{}", unique);
  std::vector<std::string> out;
  auto concretize = [&](std::string_view part, bool last) -> std::optional<std::string> {
    std::string text;
    bool star_done = false;
    for (size_t i = 0; i < part.size(); ++i) {
      char c = part[i];
      if (c == '*') {
        if (!last) {
          if (!star_done) text += split;
        } else if (!star_done) {
          text += i == 0 ? fmt::format("{}-{}", split, shard) : shard;
        }
        star_done = true;
      } else if (c == '?') {
        text += '0';
      } else if (c == '[') {
        size_t close = part.find(']', i + 2);
        if (close == std::string_view::npos) {
          text += c;
          continue;
        }
        std::string_view body = part.substr(i + 1, close - i - 1);
        bool negated = !body.empty() && body.front() == '!';
        if (negated) {
          text += '_';
        } else if (body.empty()) {
          return std::nullopt;
        } else {
          text += body.front();
        }
        i = close;
      } else {
        text += c;
      }
    }
    return text;
  };
  for (size_t i = 0; i < parts.size(); ++i) {
    bool last = i + 1 == parts.size();
    if (parts[i] == "**") {
      if (last) out.push_back(fmt::format("{}-{}.parquet", split, shard));
      continue;
    }
    if (last && parts[i].find_first_of("*?[") == std::string_view::npos) return std::nullopt;
    std::optional<std::string> part = concretize(parts[i], last);
    if (!part || part->empty()) return std::nullopt;
    out.push_back(*part);
  }
  if (out.empty()) return std::nullopt;
  if (EndsWith(out.back(), ".")) {
    out.back() += "parquet";  // "*.*"
  } else if (!EndsWith(out.back(), ".parquet")) {
    out.back() += ".parquet";
  }
  return Join(out, "/");
}

const ConfigLayout* FindConfig(const std::vector<ConfigLayout>& configs, std::string_view name) {
  for (const ConfigLayout& c : configs) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const SplitFiles* FindSplit(const ConfigLayout& config, std::string_view name) {
  for (const SplitFiles& s : config.splits) {
    if (s.split == name) return &s;
  }
  return nullptr;
}

std::vector<std::string> PathsOf(const SplitFiles* split) {
  std::vector<std::string> out;
  if (split) {
    for (const RepoFile& f : split->files) out.push_back(f.path);
  }
  return out;
}

/// Why `after` (the inference with `candidate` added) is not `before` plus `candidate` in exactly
/// (config, split); empty when it is.
std::string LandingProblem(const std::vector<ConfigLayout>& before,
                           const std::vector<ConfigLayout>& after, std::string_view config,
                           std::string_view split, const std::string& candidate) {
  const ConfigLayout* target = FindConfig(after, config);
  const SplitFiles* target_split = target ? FindSplit(*target, split) : nullptr;
  std::vector<std::string> target_paths = PathsOf(target_split);
  if (std::count(target_paths.begin(), target_paths.end(), candidate) != 1) {
    return fmt::format("'{}' would not be read as part of config '{}' split '{}'", candidate,
                       config, split);
  }
  if (target->format != "parquet") {
    return fmt::format("config '{}' is read as {} files, not Parquet", config, target->format);
  }
  for (const ConfigLayout& c : after) {
    for (const SplitFiles& s : c.splits) {
      if (c.name == config && s.split == split) continue;
      for (const RepoFile& f : s.files) {
        if (f.path == candidate) {
          return fmt::format("'{}' would also land in config '{}' split '{}'", candidate, c.name,
                             s.split);
        }
      }
    }
  }
  // Everything else must stay as it was.
  auto describe = [](const std::vector<ConfigLayout>& configs) {
    std::vector<std::string> keys;
    for (const ConfigLayout& c : configs) {
      for (const SplitFiles& s : c.splits) keys.push_back(c.name + "/" + s.split);
    }
    return keys;
  };
  std::vector<std::string> keys_before = describe(before), keys_after = describe(after);
  std::string target_key = fmt::format("{}/{}", config, split);
  if (std::find(keys_before.begin(), keys_before.end(), target_key) == keys_before.end()) {
    keys_after.erase(std::find(keys_after.begin(), keys_after.end(), target_key));
  }
  if (keys_before != keys_after) {
    return fmt::format("'{}' would change the configs and splits of the dataset", candidate);
  }
  for (const ConfigLayout& c : before) {
    const ConfigLayout* now = FindConfig(after, c.name);
    if (now->format != c.format || now->is_default != c.is_default) {
      return fmt::format("'{}' would change how config '{}' is read", candidate, c.name);
    }
    for (const SplitFiles& s : c.splits) {
      std::vector<std::string> was = PathsOf(&s), is = PathsOf(FindSplit(*now, s.split));
      if (c.name == config && s.split == split) {
        is.erase(std::find(is.begin(), is.end(), candidate));
      }
      if (was != is) {
        return fmt::format("'{}' would change the files of config '{}' split '{}'", candidate,
                           c.name, s.split);
      }
    }
  }
  return "";
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Result<std::vector<ConfigLayout>> InferConfigs(std::span<const RepoFile> files,
                                               std::string_view readme) {
  ASSIGN_OR_RETURN(std::optional<ReadmeYaml> yaml, ReadReadmeConfigs(readme));
  FileIndex index(files);
  return InferFromIndex(index, yaml);
}

Result<std::vector<ConfigLayout>> InferParquetExportConfigs(std::span<const RepoFile> files) {
  struct Shard {
    int64_t part;
    std::optional<int64_t> number;
    const RepoFile* file;
  };
  struct SplitEntry {
    std::vector<Shard> shards;
    bool partial = false;
  };
  std::map<std::string, std::map<std::string, SplitEntry>> configs;
  for (const RepoFile& f : files) {
    std::vector<std::string_view> parts = SplitOnSlash(f.path);
    if (parts.size() != 3 || parts[0].empty() || parts[1].empty() ||
        !EndsWith(parts[2], ".parquet") || parts[2].size() <= 8) {
      continue;
    }
    std::string_view dir = parts[1];
    bool partial = StartsWith(dir, "partial-");
    if (partial) dir.remove_prefix(8);
    auto [split, part] = StripPartSuffix(dir);
    if (split.empty()) continue;
    SplitEntry& entry = configs[std::string(parts[0])][std::string(split)];
    entry.partial = entry.partial || partial;
    std::string_view stem = parts[2].substr(0, parts[2].size() - 8);
    std::optional<int64_t> number;
    if (!stem.empty() && stem.size() <= 12 &&
        std::all_of(stem.begin(), stem.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      number = ParseInt64(stem);
    }
    entry.shards.push_back({part, number, &f});
  }
  if (configs.empty()) {
    return InvalidArgument(
        "the Parquet export has no {{config}}/{{split}}/NNNN.parquet file; it is empty or not a "
        "refs/convert/parquet tree");
  }
  std::vector<ConfigLayout> out;
  for (auto& [config_name, splits] : configs) {
    ConfigLayout config;
    config.name = config_name;
    config.format = "parquet";
    std::vector<std::string> names;
    for (const auto& [name, entry] : splits) names.push_back(name);
    SortSplitNames(names);
    for (const std::string& name : names) {
      SplitEntry& entry = splits[name];
      std::sort(entry.shards.begin(), entry.shards.end(), [](const Shard& a, const Shard& b) {
        if (a.part != b.part) return a.part < b.part;
        if (a.number.has_value() != b.number.has_value()) return a.number.has_value();
        if (a.number && *a.number != *b.number) return *a.number < *b.number;
        return a.file->path < b.file->path;
      });
      SplitFiles split;
      split.split = name;
      split.partial = entry.partial;
      for (const Shard& shard : entry.shards) split.files.push_back(*shard.file);
      config.splits.push_back(std::move(split));
    }
    out.push_back(std::move(config));
  }
  return out;
}

Result<std::vector<RepoFile>> ListRepoFiles(const hub::HfApi& api, std::string_view repo,
                                            std::string_view commit) {
  ASSIGN_OR_RETURN(std::vector<hub::RepoEntry> entries, api.ListTree(repo, commit, "", true));
  std::vector<RepoFile> files;
  for (const hub::RepoEntry& entry : entries) {
    if (!entry.is_file()) continue;
    RepoFile file;
    file.path = entry.path;
    file.size = entry.size;
    file.blob_id = entry.lfs ? entry.lfs->sha256 : entry.oid;
    files.push_back(std::move(file));
  }
  return files;
}

Result<std::string> ReadRepoReadme(const hub::HfApi& api, std::string_view repo,
                                   std::string_view commit, std::span<const RepoFile> files) {
  for (const RepoFile& f : files) {
    if (f.path != "README.md") continue;
    if (f.size > kMaxReadmeBytes) {
      return InvalidArgument("README.md of dataset {} is {} bytes; faceberg reads at most {} MiB",
                             repo, f.size, kMaxReadmeBytes >> 20);
    }
    ASSIGN_OR_RETURN(hub::FileRead read, api.ReadFile({std::string(repo), std::string(commit),
                                                       "README.md", hub::ByteRange::All()}));
    return std::move(read.data);
  }
  return std::string();
}

Result<DatasetLayout> DiscoverDataset(const hub::HfApi& api, std::string_view repo,
                                      std::string_view revision) {
  DatasetLayout layout;
  layout.repo = std::string(repo);
  layout.revision = revision.empty() ? "main" : std::string(revision);
  ASSIGN_OR_RETURN(layout.commit, api.ResolveRevision(repo, layout.revision));

  ASSIGN_OR_RETURN(std::vector<RepoFile> files, ListRepoFiles(api, repo, layout.commit));

  // Asked for the export branch itself: its layout rules, never the main-branch inference (which
  // would merge its configs).
  if (layout.revision == kParquetExportRevision || layout.revision == "~parquet") {
    auto configs = InferParquetExportConfigs(files);
    if (!configs.ok()) {
      return NotFound("dataset {} has no Parquet files at {}; {}", repo, layout.revision,
                      configs.status().message());
    }
    layout.configs = std::move(*configs);
    for (size_t i = 0; i < layout.configs.size(); ++i) {
      layout.sources.push_back({kParquetExportRevision, layout.commit});
    }
    return layout;
  }

  ASSIGN_OR_RETURN(std::string readme, ReadRepoReadme(api, repo, layout.commit, files));
  auto inferred = InferConfigs(files, readme);
  if (!inferred.ok()) {
    return inferred.status().WithContext(fmt::format("dataset {} at {}", repo, layout.revision));
  }
  std::vector<ConfigLayout> main_configs = std::move(*inferred);

  bool needs_export = main_configs.empty();
  for (const ConfigLayout& c : main_configs) needs_export = needs_export || c.format != "parquet";
  std::vector<ConfigLayout> export_configs;
  std::string export_commit;
  if (needs_export) {
    auto commit = api.ResolveRevision(repo, kParquetExportRevision);
    if (commit.ok()) {
      export_commit = *commit;
      ASSIGN_OR_RETURN(std::vector<RepoFile> export_files, ListRepoFiles(api, repo, export_commit));
      auto parsed = InferParquetExportConfigs(export_files);
      if (parsed.ok()) export_configs = std::move(*parsed);
    } else if (commit.status().code() != ErrorCode::kNotFound) {
      return commit.status();
    }
  }

  // Main-branch Parquet configs are read in place; the others from the export, under the names
  // the main inference gave (or every export config when none of those names is exported).
  std::set<std::string> exported_names;
  for (const ConfigLayout& c : export_configs) exported_names.insert(c.name);
  bool any_named = false;
  for (const ConfigLayout& c : main_configs) {
    any_named = any_named || (c.format != "parquet" && exported_names.count(c.name));
  }
  for (ConfigLayout& config : main_configs) {
    if (config.format == "parquet") {
      layout.sources.push_back({"main", layout.commit});
      layout.configs.push_back(std::move(config));
      continue;
    }
    if (!any_named) continue;
    for (ConfigLayout& exported : export_configs) {
      if (exported.name != config.name) continue;
      exported.is_default = config.is_default;
      layout.sources.push_back({kParquetExportRevision, export_commit});
      layout.configs.push_back(std::move(exported));
      break;
    }
  }
  if (!any_named) {
    for (ConfigLayout& exported : export_configs) {
      if (FindConfig(layout.configs, exported.name)) continue;
      layout.sources.push_back({kParquetExportRevision, export_commit});
      layout.configs.push_back(std::move(exported));
    }
  }
  if (layout.configs.empty()) {
    return NotFound(
        "dataset {} at {} has no Parquet files and no refs/convert/parquet export; faceberg maps "
        "Parquet data only: wait for the Hub's dataset viewer to convert it, or push Parquet "
        "files",
        repo, layout.revision);
  }
  return layout;
}

std::string TableNameFor(std::string_view dataset_name, std::string_view config) {
  std::string name = fmt::format("{}_{}", dataset_name, config);
  for (char& c : name) {
    bool keep =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!keep) c = '_';
  }
  return name;
}

Result<std::string> NewDataFilePath(std::span<const RepoFile> files, std::string_view readme,
                                    std::string_view config, std::string_view split,
                                    std::string_view unique) {
  PRECHECK(IsHex(unique), "the unique part of a new file name must be hex digits, got '{}'",
           unique);
  PRECHECK(IsSplitName(split),
           "split name '{}' is not valid (letters, digits and '_', dot-separated)", split);
  ASSIGN_OR_RETURN(std::optional<ReadmeYaml> yaml, ReadReadmeConfigs(readme));
  FileIndex index(files);
  ASSIGN_OR_RETURN(std::vector<ConfigLayout> before, InferFromIndex(index, yaml));

  const YamlConfig* yaml_config = nullptr;
  if (yaml) {
    for (const YamlConfig& c : yaml->configs) {
      if (c.name == config) yaml_config = &c;
    }
  }
  if (!yaml_config && !(!yaml && config == "default")) {
    return NotSupported(
        "dataset has no config '{}'; declare it in the configs block of README.md first", config);
  }

  const ConfigLayout* current = FindConfig(before, config);
  if (current && current->format != "parquet") {
    return NotSupported(
        "config '{}' is read as {} files; faceberg adds Parquet files only to configs read as "
        "Parquet",
        config, current->format);
  }

  std::vector<std::string> candidates;
  auto add = [&](std::string path) {
    if (std::find(candidates.begin(), candidates.end(), path) == candidates.end()) {
      candidates.push_back(std::move(path));
    }
  };
  std::string file_name = fmt::format("{}-00000-of-00001-{}.parquet", split, unique);
  // 1. Next to the split's current files.
  // (The first few folders: each candidate costs an inference.)
  constexpr size_t kMaxFolders = 8;
  if (current) {
    if (const SplitFiles* current_split = FindSplit(*current, split)) {
      std::set<std::string_view> folders;
      for (const RepoFile& f : current_split->files) {
        if (folders.insert(DirName(f.path)).second && folders.size() > kMaxFolders) break;
        add(JoinRelative(DirName(f.path), file_name));
      }
    }
  }
  // 2. From the split's data_files patterns.
  if (yaml_config && yaml_config->data_files) {
    for (const auto& [name, patterns] : *yaml_config->data_files) {
      if (name != split) continue;
      for (const std::string& pattern : patterns) {
        if (auto path =
                PathFromPattern(JoinRelative(yaml_config->data_dir, pattern), split, unique)) {
          add(*path);
        }
      }
    }
  }
  // 3. The push_to_hub layout under the config's folder (no data_files: the no-YAML rules).
  if (!yaml_config || !yaml_config->data_files) {
    std::string base = yaml_config ? yaml_config->data_dir : "";
    add(JoinRelative(JoinRelative(base, "data"), file_name));
    add(JoinRelative(base, file_name));
  }

  std::set<std::string> existing;
  for (const RepoFile& f : files) existing.insert(f.path);
  std::vector<std::string> problems;
  for (const std::string& candidate : candidates) {
    if (existing.count(candidate)) continue;
    RepoFile added{candidate, 0, ""};
    auto after = InferFromIndex(index.WithExtra(added), yaml);
    std::string problem = after.ok() ? LandingProblem(before, *after, config, split, candidate)
                                     : fmt::format("'{}' would make the dataset unreadable: {}",
                                                   candidate, after.status().message());
    if (problem.empty()) return candidate;
    problems.push_back(problem);
  }
  if (problems.empty()) {
    return NotSupported(
        "no file name can be derived for config '{}' split '{}'; add a data_files pattern for "
        "the split to README.md",
        config, split);
  }
  return NotSupported(
      "cannot add a Parquet file to config '{}' split '{}' without changing how the datasets "
      "library reads the repository: {}",
      config, split, Join(problems, "; "));
}

}  // namespace faceberg::bridge
