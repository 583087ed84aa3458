// Tests of broker/config/properties_file.h: Java-properties syntax as Kafka files use it.
#include "broker/config/properties_file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace keel::broker {
namespace {

std::vector<Property> parse_ok(std::string_view text) {
  auto r = parse_properties(text);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : std::vector<Property>{};
}

TEST(PropertiesFileTest, SeparatorsCommentsAndBlankLines) {
  auto p = parse_ok(
      "# comment\n"
      "! also a comment\n"
      "\n"
      "   \t\n"
      "a=1\n"
      "b: 2\n"
      "c 3\n"
      "  d  =  4  \n"
      "e=\n"
      "f\n");
  ASSERT_EQ(p.size(), 6u);
  EXPECT_EQ(p[0].key, "a");
  EXPECT_EQ(p[0].value, "1");
  EXPECT_EQ(p[0].line, 5);
  EXPECT_EQ(p[1].value, "2");
  EXPECT_EQ(p[2].key, "c");
  EXPECT_EQ(p[2].value, "3");
  EXPECT_EQ(p[3].key, "d");
  EXPECT_EQ(p[3].value, "4");
  EXPECT_EQ(p[4].value, "");
  EXPECT_EQ(p[5].key, "f");
  EXPECT_EQ(p[5].value, "");
}

TEST(PropertiesFileTest, ValueKeepsLaterSeparatorsAndHash) {
  auto p = parse_ok("listeners=PLAINTEXT://:9092 # not a comment\nk=a=b:c\n");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].value, "PLAINTEXT://:9092 # not a comment");
  EXPECT_EQ(p[1].value, "a=b:c");
}

TEST(PropertiesFileTest, LineContinuation) {
  auto p = parse_ok("log.dirs=/a,\\\n    /b,\\\n  /c\nnext=1\r\n");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].value, "/a,/b,/c");
  EXPECT_EQ(p[1].key, "next");
  EXPECT_EQ(p[1].line, 4);
}

TEST(PropertiesFileTest, EvenBackslashesDoNotContinue) {
  auto p = parse_ok("a=x\\\\\nb=y\n");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].value, "x\\");
}

TEST(PropertiesFileTest, Escapes) {
  auto p = parse_ok("k\\=ey=t\\tn\\nb\\\\ \\u0041\\u00e9\ntrail=v\\ \n");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].key, "k=ey");
  EXPECT_EQ(p[0].value, "t\tn\nb\\ A\xC3\xA9");
  EXPECT_EQ(p[1].value, "v ");  // an escaped trailing space is kept
}

TEST(PropertiesFileTest, LastDuplicateWins) {
  auto p = parse_ok("a=1\na=2\n");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[1].value, "2");
}

TEST(PropertiesFileTest, ErrorsNameTheLine) {
  auto r = parse_properties("a=1\n=2\n", "x.properties");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("x.properties:2:"), std::string::npos) << r.status();
  r = parse_properties("a=1\nb=\\u12\n", "x.properties");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("x.properties:2:"), std::string::npos) << r.status();
}

TEST(PropertiesFileTest, ReadsFileAndReportsMissingOne) {
  std::string path = ::testing::TempDir() + "/keel_props_test.properties";
  std::ofstream(path) << "node.id=3\n";
  auto r = read_properties_file(path);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].value, "3");
  std::remove(path.c_str());
  auto missing = read_properties_file(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(path), std::string::npos);
}

}  // namespace
}  // namespace keel::broker
