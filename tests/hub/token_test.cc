#include "hub/token.h"

#include <fstream>
#include <map>
#include <sstream>

#include "test_util.h"

namespace faceberg::hub {
namespace {

// A fake environment: a map, with HOME pointing into a temp folder.
class TokenTest : public ::testing::Test {
 protected:
  void SetUp() override { vars_["HOME"] = home_.path().string(); }

  EnvLookup Env() const {
    return [this](const char* name) -> std::optional<std::string> {
      auto it = vars_.find(name);
      if (it == vars_.end()) return std::nullopt;
      return it->second;
    };
  }

  void WriteFile(const std::string& path, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path) << text;
  }

  testing::TempDir home_;
  std::map<std::string, std::string> vars_;
};

TEST_F(TokenTest, NoTokenAnywhere) {
  ASSERT_OK_AND_ASSIGN(HfToken token, LookupToken(Env()));
  EXPECT_TRUE(token.empty());
  EXPECT_EQ(TokenPath(Env()), home_.Join(".cache/huggingface/token"));
}

TEST_F(TokenTest, OfficialOrder) {
  WriteFile(home_.Join(".cache/huggingface/token"), "from-default-file\n");
  ASSERT_OK_AND_ASSIGN(HfToken token, LookupToken(Env()));
  EXPECT_EQ(token.value(), "from-default-file");
  EXPECT_EQ(token.source(), "file " + home_.Join(".cache/huggingface/token"));

  // XDG_CACHE_HOME moves the default HF_HOME.
  vars_["XDG_CACHE_HOME"] = home_.Join("xdg");
  EXPECT_EQ(TokenPath(Env()), home_.Join("xdg/huggingface/token"));
  ASSERT_OK_AND_ASSIGN(token, LookupToken(Env()));
  EXPECT_TRUE(token.empty());
  WriteFile(home_.Join("xdg/huggingface/token"), "from-xdg");
  ASSERT_OK_AND_ASSIGN(token, LookupToken(Env()));
  EXPECT_EQ(token.value(), "from-xdg");

  // HF_HOME beats XDG_CACHE_HOME ('~' and $VARS expanded).
  vars_["MYDIR"] = "hfhome";
  vars_["HF_HOME"] = "~/$MYDIR";
  WriteFile(home_.Join("hfhome/token"), "  from-hf-home  ");
  ASSERT_OK_AND_ASSIGN(token, LookupToken(Env()));
  EXPECT_EQ(token.value(), "from-hf-home");

  // HF_TOKEN_PATH beats HF_HOME.
  vars_["HF_TOKEN_PATH"] = "${HOME}/custom/tok";
  WriteFile(home_.Join("custom/tok"), "from-token-path");
  ASSERT_OK_AND_ASSIGN(token, LookupToken(Env()));
  EXPECT_EQ(token.value(), "from-token-path");

  // The legacy variable beats every file; HF_TOKEN beats it.
  vars_["HUGGING_FACE_HUB_TOKEN"] = "legacy";
  ASSERT_OK_AND_ASSIGN(token, LookupToken(Env()));
  EXPECT_EQ(token.value(), "legacy");
  EXPECT_EQ(token.source(), "HUGGING_FACE_HUB_TOKEN");
  vars_["HF_TOKEN"] = "hf_primary";
  ASSERT_OK_AND_ASSIGN(token, LookupToken(Env()));
  EXPECT_EQ(token.value(), "hf_primary");
  EXPECT_EQ(token.source(), "HF_TOKEN");

  // An empty (or blank) HF_TOKEN counts as none.
  vars_["HF_TOKEN"] = "   ";
  ASSERT_OK_AND_ASSIGN(token, LookupToken(Env()));
  EXPECT_EQ(token.value(), "legacy");

  // HF_HUB_DISABLE_IMPLICIT_TOKEN turns the lookup off.
  vars_["HF_HUB_DISABLE_IMPLICIT_TOKEN"] = "1";
  ASSERT_OK_AND_ASSIGN(token, LookupToken(Env()));
  EXPECT_TRUE(token.empty());
}

TEST_F(TokenTest, EmptyTokenFileIsNone) {
  WriteFile(home_.Join(".cache/huggingface/token"), "\n  \n");
  ASSERT_OK_AND_ASSIGN(HfToken token, LookupToken(Env()));
  EXPECT_TRUE(token.empty());
}

TEST_F(TokenTest, TokenNeverPrintsItself) {
  HfToken token("hf_secret_value", "HF_TOKEN");
  std::ostringstream out;
  out << token;
  EXPECT_EQ(out.str(), "<hf token>");
  EXPECT_EQ(fmt::format("{}", token), "<hf token>");
  EXPECT_EQ(fmt::format("{}", HfToken()), "<no hf token>");
  EXPECT_EQ(::testing::PrintToString(token).find("hf_secret_value"), std::string::npos);
}

TEST_F(TokenTest, Endpoint) {
  EXPECT_EQ(LookupEndpoint(Env()), "https://huggingface.co");
  vars_["HF_ENDPOINT"] = "http://127.0.0.1:8090///";
  EXPECT_EQ(LookupEndpoint(Env()), "http://127.0.0.1:8090");
  vars_["HF_ENDPOINT"] = "";
  EXPECT_EQ(LookupEndpoint(Env()), "https://huggingface.co");
}

TEST_F(TokenTest, Offline) {
  EXPECT_FALSE(IsOffline(Env()));
  for (const char* yes : {"1", "true", "YES", "On"}) {
    vars_["HF_HUB_OFFLINE"] = yes;
    EXPECT_TRUE(IsOffline(Env())) << yes;
  }
  vars_["HF_HUB_OFFLINE"] = "0";
  EXPECT_FALSE(IsOffline(Env()));
  EXPECT_ERROR(OfflineError("dataset info"), ErrorCode::kNetwork, "HF_HUB_OFFLINE");
}

TEST_F(TokenTest, Settings) {
  vars_["HF_TOKEN"] = "abc";
  vars_["HF_ENDPOINT"] = "http://localhost:1/";
  vars_["HF_HUB_OFFLINE"] = "1";
  ASSERT_OK_AND_ASSIGN(HubSettings settings, LookupHubSettings(Env()));
  EXPECT_EQ(settings.endpoint, "http://localhost:1");
  EXPECT_EQ(settings.token.value(), "abc");
  EXPECT_TRUE(settings.offline);
}

TEST_F(TokenTest, ExpandsVariables) {
  vars_["A"] = "x";
  EXPECT_EQ(ExpandUserAndVars("~/a/$A/${A}b/$UNSET/$", Env()),
            home_.path().string() + "/a/x/xb/$UNSET/$");
  EXPECT_EQ(ExpandUserAndVars("/abs/~/p", Env()), "/abs/~/p");
}

}  // namespace
}  // namespace faceberg::hub
