import assert from "node:assert/strict";
import type { ProfileConfig } from "../config/types.ts";
import { pinnedName, pinUpstreamPath } from "./profile_pins.ts";

const profile: ProfileConfig = {
  name: "coding",
  description: "",
  pins: {
    public: "real",
    author: "short-target",
    "author/public": "long-target",
    disabled: "",
    nested: "team/model",
  },
};

Deno.test("pinnedName() gives the target, '' for a disabled name, null when unpinned", () => {
  assert.equal(pinnedName(profile, "public"), "real");
  assert.equal(pinnedName(profile, "disabled"), "");
  assert.equal(pinnedName(profile, "other"), null);
  assert.equal(pinnedName(null, "public"), null);
  assert.equal(pinnedName(profile, "toString"), null);
});

Deno.test("pinUpstreamPath() replaces the pinned model and keeps the rest raw", () => {
  assert.equal(
    pinUpstreamPath(profile, "public/v1/a%2Fb?"),
    "real/v1/a%2Fb?",
  );
  assert.equal(pinUpstreamPath(profile, "public"), "real");
  assert.equal(pinUpstreamPath(profile, "nested/x"), "team/model/x");
});

Deno.test("pinUpstreamPath() prefers the longest pin", () => {
  assert.equal(pinUpstreamPath(profile, "author/public/v1"), "long-target/v1");
  assert.equal(
    pinUpstreamPath(profile, "author%2Fpublic/v1"),
    "long-target/v1",
  );
  assert.equal(
    pinUpstreamPath(profile, "author/other/v1"),
    "short-target/other/v1",
  );
});

Deno.test("pinUpstreamPath() leaves unpinned names alone and refuses disabled ones", () => {
  assert.equal(pinUpstreamPath(profile, "publicity/v1"), "publicity/v1");
  assert.equal(pinUpstreamPath(null, "public/v1"), "public/v1");
  assert.equal(pinUpstreamPath(profile, "disabled/v1"), null);
});
