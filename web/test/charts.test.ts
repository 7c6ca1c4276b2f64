import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { PALETTE, repositoryColors } from "../src/colors";
import { compareLines } from "../src/compareLines";
import { embedSnippets } from "../src/embeds";
import { familyLines, onRightAxis, showsDelta } from "../src/familyLines";
import { sparklinePath } from "../src/components/Sparkline";
import type { CompareSeries, FieldInfo, Series } from "../src/types";

const PR_FIELDS: FieldInfo[] = [
  { name: "open_prs", kind: "count", description: "" },
  { name: "merged_prs", kind: "count", description: "" },
  { name: "ratio", kind: "ratio", description: "" },
];

function prSeries(): Series {
  const rows: [number, number | null, number | null, number | null, "measured" | "reconstructed" | null][] = [
    [0, 10, 100, 10, "reconstructed"],
    [86_400, 10, 101, 10.1, "measured"],
    [172_800, null, null, null, null],
    [259_200, 12, 104, 8.67, "measured"],
  ];
  return {
    repo: "octo/widgets",
    family: "prs",
    package: null,
    interval: "day",
    fields: ["open_prs", "merged_prs", "ratio"],
    aggregation: {},
    count: rows.length,
    downsampled: false,
    total_counted_from: null,
    notes: [],
    points: rows.map(([epoch, open, merged, ratio, provenance]) => ({
      time: "",
      epoch_seconds: epoch,
      open_prs: open,
      merged_prs: merged,
      ratio,
      provenance,
      source: provenance ? "test" : null,
    })),
  };
}

describe("a family's chart lines", () => {
  it("draws each field, reconstructed parts dashed, ratios on the right, gaps as null", () => {
    const data = familyLines(prSeries(), PR_FIELDS, "values", false);
    assert.deepEqual(data.xs, [0, 86_400, 172_800, 259_200]);
    const open = data.lines.filter((line) => line.field === "open_prs");
    assert.deepEqual(open.map((line) => [line.dashed, line.values]), [
      [false, [null, 10, null, 12]],
      [true, [10, 10, null, null]],
    ]);
    assert.deepEqual(data.rightFields, ["ratio"]);
    assert.ok(data.lines.filter((line) => line.field === "ratio").every((line) => line.right));
  });

  it("draws reconstructed days asked for every 3 hours as a line, not as isolated points", () => {
    const stars: FieldInfo[] = [{ name: "star_count", kind: "count", description: "" }];
    const rows: [number, number | null, "measured" | "reconstructed" | null][] = [
      [0, 100, "reconstructed"],
      [10_800, null, null],
      [21_600, null, null],
      [86_400, 110, "reconstructed"],
      [97_200, null, null],
      [108_000, 111, "measured"],
      [118_800, null, null],
      [129_600, 113, "measured"],
    ];
    const series: Series = {
      ...prSeries(),
      family: "stars",
      interval: "3h",
      fields: ["star_count"],
      count: rows.length,
      points: rows.map(([epoch, count, provenance]) => ({
        time: "",
        epoch_seconds: epoch,
        star_count: count,
        provenance,
        source: provenance ? "test" : null,
      })),
    };
    const data = familyLines(series, stars, "values", false);
    assert.deepEqual(
      data.lines.map((line) => [line.dashed, line.values]),
      [
        [false, [null, undefined, undefined, null, undefined, 111, null, 113]],
        [true, [100, undefined, undefined, 110, undefined, 111, null, null]],
      ],
    );
    assert.deepEqual(data.spanned, [false, true, true, false, true, false, false, false]);
  });

  it("shows counts as changes in a deltas mode and leaves ratios as values", () => {
    const data = familyLines(prSeries(), PR_FIELDS, "daily", false);
    assert.deepEqual(data.shown.merged_prs, [null, 1, null, null]);
    assert.deepEqual(data.shown.ratio, [10, 10.1, null, 8.67]);
    assert.ok(showsDelta({ name: "star_count", kind: "count", description: "" }, "weekly"));
    assert.ok(!showsDelta({ name: "weekly_downloads", kind: "window", description: "" }, "weekly"));
  });

  it("puts download totals on the right only when they are values", () => {
    const total: FieldInfo = { name: "total_downloads", kind: "count", description: "" };
    assert.ok(onRightAxis(total, "values"));
    assert.ok(!onRightAxis(total, "daily"));
  });
});

describe("comparisons", () => {
  function compared(repo: string, start: number, values: (number | null)[]): CompareSeries {
    return {
      repo,
      package: null,
      day_zero: null,
      total_counted_from: null,
      notes: [],
      points: values.map((value, index) => ({
        time: "",
        epoch_seconds: start + index * 86_400,
        age_days: index,
        star_count: value,
        provenance: value === null ? null : "measured",
        source: null,
      })),
    };
  }

  it("aligns by age on days since day 0, gaps kept, missing points spanned", () => {
    const data = compareLines([compared("a/old", 0, [1, 2, null, 4]), compared("b/new", 900_000, [5, 6])], "star_count", {
      byAge: true,
      normalize: false,
      log: false,
      order: ["a/old", "b/new"],
    });
    assert.deepEqual(data.xs, [0, 1, 2, 3]);
    assert.deepEqual(data.lines[0]?.values, [1, 2, null, 4]);
    assert.deepEqual(data.lines[1]?.values, [5, 6, undefined, undefined]);
    assert.deepEqual(data.lines[1]?.exact, [5, 6, null, null]);
  });

  it("passes over the empty rows between reconstructed days", () => {
    const rebuilt: CompareSeries = {
      ...compared("a/one", 0, [1, 2]),
      points: [
        { time: "", epoch_seconds: 0, star_count: 10, provenance: "reconstructed", source: null },
        { time: "", epoch_seconds: 43_200, star_count: null, provenance: null, source: null },
        { time: "", epoch_seconds: 86_400, star_count: 12, provenance: "reconstructed", source: null },
      ],
    };
    const data = compareLines([rebuilt], "star_count", { byAge: false, normalize: false, log: false, order: [] });
    assert.deepEqual(data.xs, [0, 86_400]);
    assert.deepEqual(data.lines[0]?.values, [10, 12]);
  });

  it("aligns by date on epoch seconds and normalises each to its peak", () => {
    const data = compareLines([compared("a/one", 0, [50, 100]), compared("b/two", 86_400, [10, 40])], "star_count", {
      byAge: false,
      normalize: true,
      log: false,
      order: [],
    });
    assert.deepEqual(data.xs, [0, 86_400, 172_800]);
    assert.deepEqual(data.lines[0]?.values, [50, 100, undefined]);
    assert.deepEqual(data.lines[1]?.values, [undefined, 25, 100]);
  });

  it("gives each repository the same colour wherever it appears", () => {
    const alone = repositoryColors(["vitejs/vite"]).get("vitejs/vite");
    const together = repositoryColors(["facebook/react", "vitejs/vite"]);
    const names = Array.from({ length: 10 }, (_, index) => `o/r${index}`);
    const all = repositoryColors(names);
    assert.equal(new Set(all.values()).size, PALETTE.length);
    assert.ok(alone !== undefined && PALETTE.includes(alone));
    if (together.get("facebook/react") !== alone) assert.equal(together.get("vitejs/vite"), alone);
  });
});

describe("embeds and sparklines", () => {
  it("writes snippets under the API's address, names escaped", () => {
    const snippets = embedSnippets("http://127.0.0.1:8000/api/v1/", "octo/widgets", "stars");
    assert.equal(snippets.chartUrl, "http://127.0.0.1:8000/api/v1/repos/octo/widgets/chart.svg?family=stars");
    assert.equal(snippets.markdown, `![octo/widgets stars](${snippets.chartUrl})`);
    assert.ok(snippets.shieldsUrl.endsWith(encodeURIComponent("http://127.0.0.1:8000/api/v1/repos/octo/widgets/shields.json?family=stars")));
  });

  it("breaks a sparkline at a gap and draws nothing without values", () => {
    assert.equal(sparklinePath([1, 2, null, 4], 30, 10), "M0.0 9.0L10.0 6.3M30.0 1.0");
    assert.equal(sparklinePath([null, null], 30, 10), "");
  });
});
