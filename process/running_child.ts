import { type ChunkReader, chunkReader } from "../lib/mod.ts";
import type { ChildExit, ProcessControl } from "./process_control.ts";

/** Where a child's output is copied, e.g. a `LogBuffer`. */
export interface OutputSink {
  write(chunk: Uint8Array): void;
}

/**
 * One spawned child with its output drained continuously into `sinks`, so
 * a chatty child never blocks on a full pipe.
 *
 * Created by `RunningChild.spawn()`; the owner must eventually await
 * `exited` and then either `outputDone` or `cancelOutput()`.
 */
export class RunningChild {
  readonly pid: number;
  readonly argv: readonly string[];
  /** Resolves when the child exits; never rejects. */
  readonly exited: Promise<ChildExit>;
  /** Resolves when both pipes have reached their end or were cancelled. */
  readonly outputDone: Promise<void>;
  #exit: ChildExit | null = null;
  #readers: ChunkReader[];

  private constructor(
    argv: readonly string[],
    pid: number,
    status: Promise<ChildExit>,
    streams: ReadableStream<Uint8Array>[],
    sinks: readonly OutputSink[],
  ) {
    this.argv = argv;
    this.pid = pid;
    this.exited = status.then((exit) => (this.#exit = exit));
    // Pipes are byte streams: chunks come out exact-size, so a log that
    // keeps a short line does not keep a 64 KiB read buffer with it.
    this.#readers = streams.map((stream) =>
      chunkReader(stream, { byteStream: true })
    );
    this.outputDone = Promise.all(
      this.#readers.map((reader) => drain(reader, sinks)),
    ).then(() => {});
  }

  /**
   * Starts `argv` through `control` and begins draining its output.
   * Throws what `control.spawn()` throws when the program cannot run.
   */
  static spawn(
    control: ProcessControl,
    argv: readonly string[],
    env: Readonly<Record<string, string>>,
    sinks: readonly OutputSink[],
  ): RunningChild {
    const child = control.spawn(argv, env);
    return new RunningChild(
      argv,
      child.pid,
      child.status,
      [child.stdout, child.stderr],
      sinks,
    );
  }

  /** How the child ended, or null while it runs. */
  get exit(): ChildExit | null {
    return this.#exit;
  }

  /**
   * Stops reading the pipes, e.g. when a grandchild that escaped the group
   * kill still holds them open. Output not yet read is lost.
   */
  cancelOutput(): void {
    for (const reader of this.#readers) {
      reader.cancel().catch(() => {
        // The pipe already failed; drain() has ended either way.
      });
    }
  }
}

async function drain(
  reader: ChunkReader,
  sinks: readonly OutputSink[],
): Promise<void> {
  try {
    for (;;) {
      const chunk = await reader.read();
      if (chunk === null) return;
      for (const sink of sinks) sink.write(chunk);
    }
  } catch {
    // A broken pipe ends the output like a normal end of file.
  }
}

/** Describes an exit for logs and errors: `code 1` or `signal SIGKILL`. */
export function describeExit(exit: ChildExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}
