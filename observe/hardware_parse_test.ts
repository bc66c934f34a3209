import assert from "node:assert/strict";
import {
  architectureName,
  type ContainerClues,
  containerEnvironment,
  parseCpuinfo,
  parseNvidiaAccelerators,
  parseOsRelease,
} from "./hardware_parse.ts";

/** Two sockets of two cores with two threads each. */
const XEON_CPUINFO = [0, 1, 2, 3, 4, 5, 6, 7].map((n) =>
  [
    `processor\t: ${n}`,
    "vendor_id\t: GenuineIntel",
    "model name\t: Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz",
    `physical id\t: ${Math.floor(n / 4)}`,
    `core id\t\t: ${Math.floor(n / 2) % 2}`,
    "flags\t\t: fpu vme: de",
  ].join("\n")
).join("\n\n") + "\n";

const ARM_CPUINFO = [
  "processor\t: 0\nBogoMIPS\t: 108.00\nCPU implementer\t: 0x41\nCPU part\t: 0xd08",
  "processor\t: 1\nBogoMIPS\t: 108.00\nCPU implementer\t: 0x41\nCPU part\t: 0xd08",
  "Hardware\t: BCM2835\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4",
].join("\n\n");

const NO_CONTAINER: ContainerClues = {
  kubernetes: false,
  containerenv: null,
  dockerenv: false,
  cgroup: "0::/init.scope\n",
};

Deno.test("architectureName() uses Go's names and passes others through", () => {
  assert.equal(architectureName("x86_64"), "amd64");
  assert.equal(architectureName("aarch64"), "arm64");
  assert.equal(architectureName("s390x"), "s390x");
});

Deno.test("parseOsRelease() reads bare, double- and single-quoted values", () => {
  const release = parseOsRelease([
    "# a comment",
    'NAME="Ubuntu"',
    "VERSION_ID='24.04'",
    "ID=ubuntu",
    'PRETTY_NAME="Say \\"hi\\""',
    "not a field",
  ].join("\n"));

  assert.equal(release.get("NAME"), "Ubuntu");
  assert.equal(release.get("VERSION_ID"), "24.04");
  assert.equal(release.get("ID"), "ubuntu");
  assert.equal(release.get("PRETTY_NAME"), 'Say "hi"');
  assert.equal(release.size, 4);
});

Deno.test("parseCpuinfo() counts sockets, physical cores and threads", () => {
  assert.deepEqual(parseCpuinfo(XEON_CPUINFO), {
    vendor: "Intel",
    model: "Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz",
    socket_count: 2,
    physical_core_count: 4,
    logical_thread_count: 8,
  });
});

Deno.test("parseCpuinfo() leaves sockets and cores null where Arm boards omit them", () => {
  assert.deepEqual(parseCpuinfo(ARM_CPUINFO), {
    vendor: "ARM",
    model: "BCM2835",
    socket_count: null,
    physical_core_count: null,
    logical_thread_count: 2,
  });
  assert.equal(parseCpuinfo("").logical_thread_count, null);
});

Deno.test("containerEnvironment() names the engine from what it leaves behind", () => {
  const seen = (clues: Partial<ContainerClues>) =>
    containerEnvironment({ ...NO_CONTAINER, ...clues });

  assert.deepEqual(seen({ dockerenv: true }), {
    kind: "container",
    name: "docker",
    version: null,
  });
  assert.deepEqual(seen({ containerenv: 'engine="podman-4.9.3"\n' }), {
    kind: "container",
    name: "podman",
    version: "4.9.3",
  });
  assert.equal(seen({ kubernetes: true, dockerenv: true }).name, "kubernetes");
  assert.equal(
    seen({ cgroup: "0::/kubepods/besteffort/pod1/abc\n" }).name,
    "kubernetes",
  );
  assert.equal(seen({ cgroup: "12:cpu:/docker/0123abcd\n" }).name, "docker");
  assert.deepEqual(seen({}), { kind: null, name: null, version: null });
});

Deno.test("parseNvidiaAccelerators() describes each GPU, [N/A] as null", () => {
  const csv = "0, NVIDIA GeForce RTX 4090, 24564, 550.54.14, 450.00\n" +
    "1, Tesla K80, 11441, 470.82.01, [N/A]\n";

  const gpus = parseNvidiaAccelerators(csv);

  assert.deepEqual(gpus[0], {
    index: 0,
    kind: "gpu",
    vendor: "NVIDIA",
    model: "NVIDIA GeForce RTX 4090",
    architecture: null,
    memory: { kind: "dedicated", capacity_bytes: 24564 * 1024 * 1024 },
    driver: { name: "nvidia", version: "550.54.14" },
    power_limit_watts: 450,
  });
  assert.equal(gpus[1]?.power_limit_watts, null);
  assert.deepEqual(parseNvidiaAccelerators("\n"), []);
});
