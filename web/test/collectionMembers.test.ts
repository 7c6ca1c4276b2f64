import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { chooseMembers, isSlug, slugFrom } from "../src/collectionMembers";

describe("a collection's form", () => {
  it("suggests a slug from the name", () => {
    assert.equal(slugFrom("Front-end tools!"), "front-end-tools");
    assert.equal(slugFrom("  Données  ÉTÉ "), "donnees-ete");
    assert.equal(slugFrom("!!!"), "");
    assert.equal(slugFrom("a".repeat(80)).length, 64);
    assert.ok(isSlug(slugFrom("Front-end tools!")));
  });

  it("takes only slugs the address can carry, in any case", () => {
    for (const good of ["frontend-2026", "Frontend", "-lead"]) assert.ok(isSlug(good), good);
    for (const bad of ["", " ", "two words", "a/b", "é", "a".repeat(65)]) assert.equal(isSlug(bad), false, bad);
  });

  it("adds tracked repositories as tracked, once, and names the rest", () => {
    const known = ["octo/Widgets", "acme/rocket", "tiny/tool"];
    const choice = chooseMembers(
      "octo/widgets, https://github.com/acme/rocket/ tiny/tool\nOCTO/WIDGETS nobody/here not-a-name",
      known,
      ["tiny/tool"],
    );
    assert.deepEqual(choice, {
      add: ["octo/Widgets", "acme/rocket"],
      already: ["tiny/tool"],
      unknown: ["nobody/here", "not-a-name"],
    });
  });

  it("asks for nothing when nothing is typed", () => {
    assert.deepEqual(chooseMembers("  ,  ", ["a/b"], []), { add: [], already: [], unknown: [] });
  });
});
