// Who may read what (SPEC §6): 401 for a missing or unknown token, 403 for a role that may not
// read the path; JSON errors for every refusal, unknown routes and methods; the rate limit.
#include <gtest/gtest.h>

#include "tests/api/daemon_fixture.h"

namespace chipledger::testing {
namespace {

using nlohmann::json;

class AuthApiTest : public DaemonTest {
 protected:
  int Status(const std::string& path, const std::string& role) {
    httplib::Result res = Get(path, role);
    EXPECT_TRUE(res) << path;
    if (!res) return 0;
    if (res->status >= 400) {
      json error = Json(res);
      EXPECT_TRUE(error.is_object() && error["error"].is_string() && error["message"].is_string())
          << path << " " << res->body;
    }
    return res->status;
  }
};

TEST_F(AuthApiTest, EachRoleReadsWhatItMay) {
  Start();
  const std::vector<std::string> reader_paths = {"/v1/entries/0",
                                                 "/v1/events",
                                                 "/v1/proofs/inclusion?index=0",
                                                 "/tile/0/000.p/1",
                                                 "/tile/entries/000.p/1",
                                                 "/v1/agents/authority-1"};
  for (const std::string& path : reader_paths) {
    EXPECT_EQ(Status(path, "regulator"), 200) << path;
    EXPECT_EQ(Status(path, "auditor"), 200) << path;
    EXPECT_EQ(Status(path, "witness"), 403) << path;
    EXPECT_EQ(Status(path, "admin"), 403) << path;
    EXPECT_EQ(Status(path, ""), 401) << path;
  }
  const std::string consistency = "/v1/proofs/consistency?old=1&new=1";
  for (const char* role : {"regulator", "auditor", "witness"}) {
    EXPECT_EQ(Status(consistency, role), 200) << role;
  }
  EXPECT_EQ(Status(consistency, "admin"), 403);
  for (const char* role : {"regulator", "auditor", "witness", "admin", ""}) {
    EXPECT_EQ(Status("/checkpoint", role), 200) << role;
    EXPECT_EQ(Status("/healthz", role), 200) << role;
  }
  EXPECT_EQ(Status("/metrics", "admin"), 200);
  EXPECT_EQ(Status("/metrics", "regulator"), 403);
  EXPECT_EQ(Status("/metrics", ""), 401);
}

TEST_F(AuthApiTest, MissingMalformedAndUnknownTokensAre401) {
  Start();
  for (const char* header : {"Bearer clt_0000", "Basic dXNlcjpwYXNz", "Bearer", ""}) {
    httplib::Headers headers;
    if (*header) headers.emplace("Authorization", header);
    httplib::Result res = client_->Get("/v1/events", headers);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << header;
    EXPECT_EQ(res->get_header_value("WWW-Authenticate"), "Bearer");
    EXPECT_EQ(Json(res)["error"], "unauthenticated");
  }
}

TEST_F(AuthApiTest, TokensCreatedWhileServingWork) {
  Start();
  std::string token = CreateToken("auditor", "late-auditor");
  httplib::Result res =
      client_->Get("/v1/events", httplib::Headers{{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  Result<std::string> duplicate = api::RunCommand(
      kChipledgerd,
      {"token", "create", "--data", data_, "--role", "auditor", "--name", "late-auditor"});
  EXPECT_FALSE(duplicate.ok());
  Result<std::string> bad_role = api::RunCommand(
      kChipledgerd, {"token", "create", "--data", data_, "--role", "root", "--name", "x"});
  EXPECT_FALSE(bad_role.ok());
}

TEST_F(AuthApiTest, TokensAreStoredOnlyAsHashes) {
  Start();
  std::ifstream in(data_ + "/tokens.json");
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(file.empty());
  for (const auto& [role, token] : tokens_) {
    EXPECT_EQ(file.find(token), std::string::npos) << role;
    EXPECT_NE(file.find(ToHex(Sha256(token))), std::string::npos) << role;
  }
}

TEST_F(AuthApiTest, UnknownRoutesAndMethodsGetJsonErrors) {
  Start();
  httplib::Result missing = Get("/v2/nothing");
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(Json(missing)["error"], "not_found");
  httplib::Result method = client_->Delete("/v1/events");
  ASSERT_TRUE(method);
  EXPECT_EQ(method->status, 405);
  EXPECT_EQ(Json(method)["error"], "method_not_allowed");
  EXPECT_NE(method->get_header_value("Allow").find("POST"), std::string::npos);
  httplib::Headers huge{{"X-Padding", std::string(6000, 'x')},
                        {"X-Padding-2", std::string(6000, 'x')},
                        {"X-Padding-3", std::string(6000, 'x')}};
  httplib::Result headers = client_->Get("/healthz", huge);
  ASSERT_TRUE(headers);
  EXPECT_EQ(headers->status, 431);
  EXPECT_EQ(Json(headers)["error"], "headers_too_large");
}

TEST_F(AuthApiTest, RateLimitAnswers429) {
  Start({{"limits", {{"rate_per_second", 1}, {"rate_burst", 5}}}});
  int limited = 0;
  for (int i = 0; i < 20; ++i) {
    httplib::Result res = client_->Get("/healthz");
    ASSERT_TRUE(res);
    if (res->status == 429) {
      ++limited;
      EXPECT_EQ(Json(res)["error"], "rate_limited");
      EXPECT_FALSE(res->get_header_value("Retry-After").empty());
    }
  }
  // A burst of 5 at 1/s: at most 5 plus what refills while 20 requests run.
  EXPECT_GE(limited, 1);
}

TEST_F(AuthApiTest, BadConfigIsRefusedAtStart) {
  std::string text = LogOfRefusedStart(R"({"limits": {"rate_per_secnd": 5}})");
  EXPECT_NE(text.find("limits.rate_per_secnd"), std::string::npos) << text;
}

TEST_F(AuthApiTest, MetricsCountRequestsAndRefusals) {
  Start();
  Get("/v1/events", "");
  std::string metrics = Get("/metrics", "admin")->body;
  EXPECT_NE(metrics.find("chipledger_http_requests_total{route=\"/v1/events\",status=\"401\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("chipledger_refusals_total{code=\"unauthenticated\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("chipledger_tree_size 1"), std::string::npos);
  EXPECT_NE(metrics.find("chipledger_group_commit_size_count"), std::string::npos);
}

}  // namespace
}  // namespace chipledger::testing
