/**
 * An in-memory `ProcessControl` for `ModelProcess` unit tests: children are
 * fakes whose exits the test (or the fake signals) decide.
 */
import { deferred } from "../lib/mod.ts";
import type {
  ChildExit,
  ProcessControl,
  SpawnedChild,
} from "../process/mod.ts";

/** One fake child; `exit()` ends it and closes its output. */
export class FakeChild implements SpawnedChild {
  readonly pid: number;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  readonly status: Promise<ChildExit>;
  /** False makes SIGTERM do nothing, like a child that ignores it. */
  honoursSigterm = true;
  /**
   * True makes the rest of the child's group (a server under a wrapper
   * shell) outlive the child until `endGroup()` or a group SIGKILL.
   */
  groupLingers = false;
  /**
   * True makes a lingering group survive a group SIGKILL too (members
   * stuck in a driver call) until `endGroup()`.
   */
  survivesSigkill = false;
  #exited = deferred<ChildExit>();
  #groupEnded = false;
  #out!: ReadableStreamDefaultController<Uint8Array>;
  #err!: ReadableStreamDefaultController<Uint8Array>;
  #done = false;

  constructor(
    pid: number,
    argv: readonly string[],
    env: Readonly<Record<string, string>>,
  ) {
    this.pid = pid;
    this.argv = argv;
    this.env = env;
    this.stdout = new ReadableStream({ start: (c) => void (this.#out = c) });
    this.stderr = new ReadableStream({ start: (c) => void (this.#err = c) });
    this.status = this.#exited.promise;
  }

  get running(): boolean {
    return !this.#done;
  }

  /** True while the child or anything else of its group runs. */
  get groupRunning(): boolean {
    return this.running || (this.groupLingers && !this.#groupEnded);
  }

  /** Ends the members of the group that outlived the child. */
  endGroup(): void {
    this.#groupEnded = true;
  }

  /** Writes `text` to stdout. */
  print(text: string): void {
    this.#out.enqueue(new TextEncoder().encode(text));
  }

  exit(code: number, signal: Deno.Signal | null = null): void {
    if (this.#done) return;
    this.#done = true;
    this.#out.close();
    this.#err.close();
    this.#exited.resolve({ code, signal });
  }
}

export class FakeProcessControl implements ProcessControl {
  readonly children: FakeChild[] = [];
  /** Signals sent, e.g. `SIGTERM 1001`. */
  readonly signals: string[] = [];
  /** Programs that do not exist. */
  readonly missing = new Set<string>(["missing-program"]);
  /** Called with every child right after it is spawned. */
  onSpawn: (child: FakeChild) => void = () => {};
  #nextPid = 1001;

  spawn(
    argv: readonly string[],
    env: Readonly<Record<string, string>>,
  ): SpawnedChild {
    if (this.missing.has(argv[0] ?? "")) {
      throw new Deno.errors.NotFound(`Failed to spawn '${argv[0]}'`);
    }
    const child = new FakeChild(this.#nextPid++, argv, env);
    this.children.push(child);
    this.onSpawn(child);
    return child;
  }

  terminateGroup(pid: number): boolean {
    this.signals.push(`SIGTERM ${pid}`);
    const child = this.#find(pid);
    if (!child?.running) return false;
    if (child.honoursSigterm) child.exit(0);
    return true;
  }

  killGroup(pid: number): boolean {
    this.signals.push(`SIGKILL ${pid}`);
    const child = this.#find(pid);
    if (!child?.groupRunning) return false;
    child.exit(137, "SIGKILL");
    if (!child.survivesSigkill) child.endGroup();
    return true;
  }

  isAlive(pid: number): boolean {
    return this.#find(pid)?.running ?? false;
  }

  groupExists(pid: number): boolean {
    return this.#find(pid)?.groupRunning ?? false;
  }

  /** The most recently spawned child. */
  get last(): FakeChild {
    const child = this.children.at(-1);
    if (!child) throw new Error("Cannot get the last child: none was spawned");
    return child;
  }

  #find(pid: number): FakeChild | undefined {
    return this.children.find((c) => c.pid === pid);
  }
}
