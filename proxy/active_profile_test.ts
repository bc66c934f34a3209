import assert from "node:assert/strict";
import type { ProfileConfig } from "../config/types.ts";
import { LogBuffer, Logger } from "../log/mod.ts";
import { testConfig, testModel } from "../tests/proxy_fakes.ts";
import { ActiveProfile } from "./active_profile.ts";

const coding: ProfileConfig = {
  name: "coding",
  description: "",
  pins: { public: "m1" },
};

function configWithProfile() {
  return testConfig([testModel("m1")], { profiles: { coding } });
}

function silentLogger(logs = new LogBuffer()): Logger {
  return new Logger(logs, { level: "debug" });
}

Deno.test("ActiveProfile.select() activates a configured profile and tells listeners", () => {
  const config = configWithProfile();
  const profiles = new ActiveProfile(silentLogger());
  const heard: (string | null)[] = [];
  profiles.onProfileChanged((active) => heard.push(active));

  const selected = profiles.select(config, "coding");

  assert.equal(selected, true);
  assert.equal(profiles.current(config), coding);
  assert.equal(profiles.name, "coding");
  assert.deepEqual(heard, ["coding"]);
});

Deno.test("ActiveProfile.select() refuses an unknown profile and keeps the active one", () => {
  const config = configWithProfile();
  const profiles = new ActiveProfile(silentLogger());
  profiles.select(config, "coding");
  const heard: (string | null)[] = [];
  profiles.onProfileChanged((active) => heard.push(active));

  const selected = profiles.select(config, "missing");

  assert.equal(selected, false);
  assert.equal(profiles.name, "coding");
  assert.deepEqual(heard, []);
});

Deno.test("ActiveProfile.select() with the active name again tells nobody", () => {
  const config = configWithProfile();
  const profiles = new ActiveProfile(silentLogger());
  profiles.select(config, "coding");
  const heard: (string | null)[] = [];
  profiles.onProfileChanged((active) => heard.push(active));

  profiles.select(config, "coding");
  profiles.select(config, null);

  assert.deepEqual(heard, [null]);
});

Deno.test("ActiveProfile.current() resets to none for a new config object", () => {
  const first = configWithProfile();
  const reloaded = configWithProfile();
  const profiles = new ActiveProfile(silentLogger());
  profiles.select(first, "coding");
  const heard: (string | null)[] = [];
  profiles.onProfileChanged((active) => heard.push(active));

  const afterReload = profiles.current(reloaded);

  assert.equal(afterReload, null);
  assert.equal(profiles.name, null);
  assert.deepEqual(heard, [null]);
});

Deno.test("ActiveProfile logs a throwing listener and still tells the others", () => {
  const logs = new LogBuffer();
  const profiles = new ActiveProfile(silentLogger(logs));
  const heard: (string | null)[] = [];
  profiles.onProfileChanged(() => {
    throw new Error("listener broke");
  });
  const unsubscribe = profiles.onProfileChanged((a) => heard.push(a));

  profiles.select(configWithProfile(), "coding");
  unsubscribe();
  profiles.select(configWithProfile(), "coding");

  assert.deepEqual(heard, ["coding"]);
  assert.match(logs.text(), /profile listener failed.*listener broke/);
});
