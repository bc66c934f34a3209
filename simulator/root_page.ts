/** The small page `GET /` answers with, like llama-server's web UI root. */
export const ROOT_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>llama-swap simulator</title>
</head>
<body>
<h1>llama-swap simulator</h1>
<p>A simulated inference server. Try <code>GET /health</code>,
<code>GET /v1/models</code> or <code>POST /v1/chat/completions</code>.</p>
</body>
</html>
`;
