/** The text `llama-swap --help` prints. */
export const HELP_TEXT =
  `llama-swap for Deno: one OpenAI-compatible endpoint in front of many
local inference servers, started and swapped on demand.

Usage:
  llama-swap [flags]                run the proxy with config.yaml
  llama-swap --demo                 run with three built-in simulated models
  llama-swap simulate --port N ...  run the simulated inference server

Flags:
  --config <file>         config file (default config.yaml, unless --config-dir is given)
  --config-dir <dir>      also load the *.yml and *.yaml files of this directory,
                          merged after --config in name order
  --listen <[host]:port>  address to listen on (default :8080, or :8443 with TLS;
                          127.0.0.1:8080 with --demo)
  --watch-config          reload the config when a config file changes (SIGHUP always reloads)
  --tls-cert-file <file>  serve HTTPS with this certificate (needs --tls-key-file)
  --tls-key-file <file>   private key for --tls-cert-file
  --log-level <level>     debug, info, warn or error (overrides logLevel in the config)
  --data-dir <dir>        activity history and process registry
                          (default $XDG_STATE_HOME/llama-swap or ~/.local/state/llama-swap,
                          its demo subdirectory with --demo)
  --check-config          validate the config, print a summary and exit
  --demo                  use the built-in demo config instead of --config
  --version, -v           print version and exit
  --help, -h              print this help and exit

Single-dash spellings (-config, -listen, -watch-config) work too, as do
-flag=value and, for switches, Go's -watch-config=true or =false.
`;
