import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  fieldLabel,
  formatChange,
  formatCompact,
  formatCompactTick,
  formatDay,
  formatExact,
  formatRatio,
  formatRatioTick,
  formatRelative,
  formatTime,
  wallClockDate,
} from "../src/format";

describe("numbers", () => {
  it("shows a missing value as a dash, never as 0", () => {
    for (const format of [formatExact, formatCompact, formatChange, formatRatio]) {
      assert.equal(format(null), "—");
      assert.equal(format(undefined), "—");
      assert.equal(format(Number.NaN), "—");
    }
  });

  it("writes exact numbers with separators and large ones compactly", () => {
    assert.equal(formatExact(1234567), "1,234,567");
    assert.equal(formatCompact(9999), "9,999");
    assert.equal(formatCompact(12_345), "12.3K");
    assert.equal(formatCompact(2_500_000), "2.5M");
  });

  it("signs changes", () => {
    assert.equal(formatChange(8), "+8");
    assert.equal(formatChange(-3), "−3");
    assert.equal(formatChange(0), "0");
    assert.equal(formatChange(15_000), "+15K");
  });

  it("gives ratios two decimals", () => {
    assert.equal(formatRatio(13), "13.00");
    assert.equal(formatRatio(0.125), "0.13");
  });

  it("names fields for people", () => {
    assert.equal(fieldLabel("open_prs"), "open PRs");
    assert.equal(fieldLabel("star_count"), "stars");
    assert.equal(fieldLabel("weekly_downloads"), "weekly downloads");
  });
});

describe("times", () => {
  const moment = 1_772_323_200; // 2026-03-01T00:00:00Z

  it("shows a moment in the configured zone, not the browser's", () => {
    assert.equal(formatTime(moment, "America/Los_Angeles"), "Feb 28, 2026, 16:00 PST");
    assert.equal(formatTime(moment, "UTC"), "Mar 1, 2026, 00:00 UTC");
    assert.equal(formatDay(moment, "Asia/Tokyo"), "Mar 1, 2026");
  });

  it("keeps local time through daylight saving", () => {
    const summer = Date.UTC(2026, 6, 1, 10, 0) / 1000;
    assert.equal(formatTime(summer, "America/Los_Angeles"), "Jul 1, 2026, 03:00 PDT");
  });

  it("gives a chart the wall clock of the zone, as toLocaleString would, through DST and odd offsets", () => {
    const zones = ["America/Los_Angeles", "Asia/Kolkata", "Australia/Lord_Howe", "Europe/London", "UTC", "Pacific/Chatham"];
    const start = Date.UTC(2026, 2, 7) / 1000;
    for (const zone of zones) {
      for (let seconds = start; seconds < start + 90 * 86_400; seconds += 3_517) {
        const date = new Date(seconds * 1000);
        const expected = new Date(date.toLocaleString("en-US", { timeZone: zone }));
        expected.setMilliseconds(date.getMilliseconds());
        assert.equal(wallClockDate(seconds, zone).getTime(), expected.getTime(), `${zone} at ${date.toISOString()}`);
      }
    }
  });

  it("keeps the milliseconds of a moment on the wall clock", () => {
    assert.equal(wallClockDate(moment + 0.25, "Asia/Tokyo").getMilliseconds(), 250);
    assert.equal(wallClockDate(moment + 0.25, "Asia/Tokyo").getHours(), 9);
  });

  it("says how long ago or until, in whole units", () => {
    assert.equal(formatRelative(moment - 30, moment), "just now");
    assert.equal(formatRelative(moment - 3 * 3600 - 10, moment), "3 hours ago");
    assert.equal(formatRelative(moment + 86_400, moment), "in 1 day");
    assert.equal(formatRelative(moment - 45 * 86_400, moment), "1 month ago");
  });
});

describe("a ratio axis's ticks", () => {
  it("keep as many decimals as tell them apart", () => {
    const fine = [2.88, 2.89, 2.9, 2.91, 2.92];
    assert.deepEqual(
      fine.map((tick) => formatRatioTick(tick, fine)),
      ["2.88", "2.89", "2.90", "2.91", "2.92"],
    );
    const halves = [3.4, 3.45, 3.5];
    assert.deepEqual(
      halves.map((tick) => formatRatioTick(tick, halves)),
      ["3.40", "3.45", "3.50"],
    );
  });

  it("keep one decimal on a coarse axis, and for a lone tick", () => {
    const coarse = [2.8, 3, 3.2];
    assert.deepEqual(
      coarse.map((tick) => formatRatioTick(tick, coarse)),
      ["2.8", "3.0", "3.2"],
    );
    assert.equal(formatRatioTick(14, [14]), "14.0");
  });
});

describe("a count axis's ticks", () => {
  it("take more decimals only where the compact ones would repeat a label", () => {
    const close = [5_950_000, 6_000_000, 6_050_000];
    assert.deepEqual(
      close.map((tick) => formatCompactTick(tick, close)),
      ["5.95M", "6M", "6.05M"],
    );
    const apart = [4_500_000, 5_000_000, 5_500_000];
    assert.deepEqual(
      apart.map((tick) => formatCompactTick(tick, apart)),
      apart.map((tick) => formatCompact(tick)),
    );
    assert.equal(formatCompactTick(2_500, [2_000, 2_500, 3_000]), "2,500");
  });
});
