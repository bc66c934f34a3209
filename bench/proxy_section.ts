/** The proxy benchmark's figures as a results section. */
import { DEFAULT_MAX_IDLE } from "../proxy/http1_client.ts";
import type { PathFigures, ProxyFigures, StreamSide } from "./proxy.ts";
import {
  checked,
  figure,
  mib,
  ms,
  perSecond,
  ratio,
  type ResultSection,
} from "./report.ts";

/** The figures as a results section, each target checked. */
export function proxySection(figures: ProxyFigures): ResultSection {
  const { direct, proxy, nginx } = figures;
  const addedP50 = proxy.p50 - direct.p50;
  const rows = [
    figure("small requests: direct", perSecond(direct.rps)),
    figure("small requests: through the proxy", perSecond(proxy.rps)),
    figure("small requests: proxy / direct", ratio(proxy.rps / direct.rps)),
    figure(
      "small requests: lean proxy / direct",
      ratio(figures.lean.rps / direct.rps),
    ),
    figure(
      "small requests: proxy / plain Hono forwarder",
      ratio(proxy.rps / figures.plain.rps),
    ),
  ];
  if (nginx) {
    rows.push(
      figure("small requests: through nginx", perSecond(nginx.rps)),
      figure(
        "small requests: plain Hono forwarder / nginx",
        ratio(figures.plain.rps / nginx.rps),
      ),
      checked(
        "small requests: proxy / nginx",
        ratio(proxy.rps / nginx.rps),
        ">= 0.50x",
        proxy.rps / nginx.rps >= 0.5,
      ),
    );
  } else {
    rows.push(
      checked(
        "small requests: proxy / nginx",
        "not measured: nginx is not installed",
        ">= 0.50x",
        false,
      ),
    );
  }
  rows.push(
    checked("added latency, median", ms(addedP50), "< 1 ms", addedP50 < 1),
    figure("added latency, p99", ms(proxy.p99 - direct.p99)),
  );
  if (nginx) {
    rows.push(
      figure("nginx added latency, median", ms(nginx.p50 - direct.p50)),
    );
  }
  for (const s of figures.streams) {
    const tokens = s.proxy.tokensPerSecond / s.direct.tokensPerSecond;
    const floor = s.streams >= 1000 ? 0.9 : 0.95;
    const added50 = s.proxy.ttfcP50 - s.direct.ttfcP50;
    rows.push(
      s.streams === 200
        ? checked(
          `${s.streams} streams: added time to first chunk, median`,
          ms(added50),
          "< 20 ms",
          added50 < 20,
        )
        : figure(
          `${s.streams} streams: added time to first chunk, median`,
          ms(added50),
        ),
      figure(
        `${s.streams} streams: added time to first chunk, p99`,
        ms(s.proxy.ttfcP99 - s.direct.ttfcP99),
      ),
      checked(
        `${s.streams} streams: tokens/s proxy / direct`,
        ratio(tokens),
        `>= ${floor.toFixed(2)}x`,
        tokens >= floor,
      ),
      figure(
        `${s.streams} streams: tokens/s plain Hono forwarder / direct`,
        ratio(s.plain.tokensPerSecond / s.direct.tokensPerSecond),
      ),
      figure(`${s.streams} streams: proxy peak RSS`, mib(s.proxyPeakKiB)),
    );
  }

  return {
    title: "Proxy overhead",
    method: proxyMethod(figures),
    rows,
    detail: proxyDetail(figures),
    headline: [
      "small requests: proxy / direct",
      "200 streams: proxy peak RSS",
      "1000 streams: proxy peak RSS",
    ],
  };
}

function proxyMethod(f: ProxyFigures): string {
  return `
One simulated upstream (\`llama-swap simulate --token-ms 0 --tokens 4\`, a
child process) is reached five ways in the same run: directly, through our
proxy (\`main.ts --config <temp>\` as a child process, default settings, so
the access log and request captures are on), through a second, lean proxy
child (\`logLevel: warn\` and \`captureBuffer: 0\`: no access log, no
captures), through a plain Hono forwarder child (\`bench/plain_forwarder.ts\`:
parse the JSON body, \`fetch\` upstream, return its body untouched, nothing
else), and through ${
    f.nginxVersion ?? "nginx (not installed here)"
  } (one worker, keep-alive to the upstream, access log on, buffering off).
Load comes from the benchmark process with \`fetch\` over keep-alive
connections.

- Throughput: ${f.clients} concurrent clients POST a small chat completion
  in a closed loop for ${f.loopMs / 1000} s per target; targets take turns,
  ${f.rounds} round(s); the figure is the median requests per second.
- Latency: one client sends ${f.latencySamples} requests to each target,
  interleaved request by request; "added" is the proxy's percentile minus
  the direct one.
- Streams: a second simulated model streams ${f.streamTokens} chunks, one
  every ${f.streamTokenMs} ms. N streams are opened at once, directly,
  through the proxy and through the plain forwarder in turn, after one
  unmeasured batch on each path, so connections are pooled on every hop
  (the proxy keeps up to ${
    DEFAULT_MAX_IDLE.toLocaleString("en-US")
  } idle ones per upstream); time to first chunk is
  measured per stream, tokens/s is all content chunks over the wall time of
  the batch, each the median over the rounds; the peak
  RSS is the proxy's VmHWM (reset before each proxied batch) and RSS
  sampled every 100 ms. The load generator, the proxy and the upstream
  share the machine's cores.
`;
}

function proxyDetail(f: ProxyFigures): string {
  const lines = [
    `Proxy RSS with both models loaded, before load: ${mib(f.proxyIdleKiB)}.`,
    "",
    "| path | req/s | p50 | p99 | failed |",
    "| --- | --- | --- | --- | --- |",
  ];
  const row = (name: string, p: PathFigures) =>
    `| ${name} | ${perSecond(p.rps)} | ${ms(p.p50)} | ${
      ms(p.p99)
    } | ${p.failed} |`;
  lines.push(
    row("direct", f.direct),
    row("proxy", f.proxy),
    row("lean proxy", f.lean),
    row("plain Hono forwarder", f.plain),
  );
  if (f.nginx) lines.push(row("nginx", f.nginx));
  lines.push(
    "",
    "| streams | path | TTFC p50 | TTFC p99 | tokens/s | incomplete |",
    "| --- | --- | --- | --- | --- | --- |",
  );
  for (const s of f.streams) {
    const sides: [string, StreamSide][] = [
      ["direct", s.direct],
      ["proxy", s.proxy],
      ["plain Hono forwarder", s.plain],
    ];
    for (const [name, v] of sides) {
      lines.push(
        `| ${s.streams} | ${name} | ${ms(v.ttfcP50)} | ${ms(v.ttfcP99)} | ${
          perSecond(v.tokensPerSecond)
        } | ${v.incomplete} |`,
      );
    }
  }
  return lines.join("\n");
}
