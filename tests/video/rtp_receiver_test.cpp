// GB/T 28181 media (ADR 0034): RTP headers as RFC 3550 writes them (CSRCs, an extension,
// padding) and the reorder window of src/video/rtp_receiver.cpp, without sockets.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "rtp_receiver.hpp"

using hazmon::video::rtp_payload;
using hazmon::video::RtpReorder;

namespace {
std::vector<int> drain(RtpReorder& r) {
  std::vector<int> got;
  std::vector<std::uint8_t> out;
  while (r.pop(out)) got.push_back(out.at(0));
  return got;
}
std::vector<std::uint8_t> one(std::uint16_t seq) { return {static_cast<std::uint8_t>(seq & 0xff)}; }
}  // namespace

TEST(RtpPayload, SkipsCsrcsTheExtensionAndPadding) {
  std::vector<std::uint8_t> p = {0xB1, 96,   0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 2,  // V2 P X CC1
                                 0,    0,    0,    3,                             // CSRC
                                 0xBE, 0xDE, 0,    1,    9, 9, 9, 9,              // extension
                                 'A',  'B',  0,    2};                            // 2 padding
  std::uint16_t seq = 0;
  std::size_t offset = 0, length = 0;
  ASSERT_TRUE(rtp_payload(p.data(), p.size(), 96, seq, offset, length));
  EXPECT_EQ(seq, 0x1234);
  EXPECT_EQ(offset, 24u);
  EXPECT_EQ(length, 2u);
  EXPECT_FALSE(rtp_payload(p.data(), p.size(), 8, seq, offset, length));  // another payload type
  p[0] = 0x71;                                                            // version 1
  EXPECT_FALSE(rtp_payload(p.data(), p.size(), 96, seq, offset, length));
  p[0] = 0x90;  // an extension longer than the packet
  p[14] = 0xff;
  EXPECT_FALSE(rtp_payload(p.data(), 18, 96, seq, offset, length));
  EXPECT_FALSE(rtp_payload(p.data(), 11, 96, seq, offset, length));  // shorter than a header
}

TEST(RtpReorder, PutsPacketsBackInOrderAndDropsLateOnes) {
  RtpReorder r(4);
  EXPECT_TRUE(r.push(100, one(100)));
  EXPECT_TRUE(r.push(102, one(102)));
  EXPECT_TRUE(r.push(101, one(101)));
  EXPECT_EQ(drain(r), (std::vector<int>{100, 101, 102}));
  EXPECT_FALSE(r.push(101, one(101)));  // a duplicate
  EXPECT_FALSE(r.push(90, one(90)));    // late
  // 103 never comes: once the window is full the stream goes on without it.
  for (std::uint16_t s : {104, 105, 106}) EXPECT_TRUE(r.push(s, one(s)));
  EXPECT_TRUE(drain(r).empty());
  EXPECT_TRUE(r.push(107, one(107)));
  EXPECT_EQ(drain(r), (std::vector<int>{104, 105, 106, 107}));
  EXPECT_FALSE(r.push(103, one(103)));  // too late now
}

TEST(RtpReorder, SequenceNumbersWrapAround) {
  RtpReorder r(8);
  EXPECT_TRUE(r.push(65534, one(65534)));
  EXPECT_TRUE(r.push(0, one(0)));
  EXPECT_TRUE(r.push(65535, one(65535)));
  EXPECT_TRUE(r.push(1, one(1)));
  EXPECT_EQ(drain(r), (std::vector<int>{254, 255, 0, 1}));
  // A jump far ahead (the device restarted its numbering): the stream continues from there.
  EXPECT_TRUE(r.push(30000, one(30000)));
  EXPECT_TRUE(r.push(30001, one(30001)));
  EXPECT_EQ(drain(r), (std::vector<int>{30000 & 0xff, 30001 & 0xff}));
}
