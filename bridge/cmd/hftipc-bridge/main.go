// Command hftipc-bridge carries hftipc channels between hosts over NATS JetStream.
// See docs/BRIDGE.md, or run hftipc-bridge --help.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/hftipc/hftipc/bridge/internal/bridge"
)

const usage = `usage: hftipc-bridge run --config FILE [--log-format text|json]
       hftipc-bridge check --config FILE
       hftipc-bridge status [--addr HOST:PORT] [--json]
       hftipc-bridge --help | --version

Carries hftipc channels between hosts over NATS JetStream (docs/BRIDGE.md).

Commands:
  run     Run every [[out]] and [[in]] worker of the configuration file until SIGTERM or
          SIGINT, then finish the in-flight messages (at most shutdown_timeout) and exit.
          An out worker publishes each message of a local channel to a JetStream subject and
          consumes it from the channel only after JetStream acknowledged it; an in worker
          writes the messages of a durable JetStream consumer into a local channel and
          acknowledges each only after the channel accepted it. Logs go to stderr, one line
          per state change.
  check   Parse and validate the configuration file, print it with its defaults filled in
          (TOML), and exit.
  status  Ask a running bridge for its state through its metrics endpoint (/status) and print
          it: a table, or the JSON document with --json.

Options:
  --config FILE        the TOML configuration file (docs/BRIDGE.md, "Configuration")
  --log-format FORMAT  text (default) or json (one JSON object per line)
  --addr HOST:PORT     the bridge's metrics endpoint (default 127.0.0.1:9464)
  --json               print the status as JSON

Exit status: 0 on success (run: after a clean shutdown); 1 when the bridge fails (a channel
that cannot be opened, a stream that cannot be used, a shutdown timeout with messages still
in flight, which are sent again at the next start); 2 on a usage or configuration error; 3
when status cannot reach the bridge.
`

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	case "--version", "version":
		fmt.Fprintln(stdout, "hftipc-bridge", bridge.Version)
		return 0
	case "run":
		return cmdRun(args[1:], stderr)
	case "check":
		return cmdCheck(args[1:], stdout, stderr)
	case "status":
		return cmdStatus(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "hftipc-bridge: unknown command %q\n%s", args[0], usage)
	return 2
}

func flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parse(fs *flag.FlagSet, args []string, stderr io.Writer) bool {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stderr, usage)
		} else {
			fmt.Fprintf(stderr, "hftipc-bridge %s: %v\nTry 'hftipc-bridge --help'.\n", fs.Name(), err)
		}
		return false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "hftipc-bridge %s: unexpected argument %q\nTry 'hftipc-bridge --help'.\n", fs.Name(), fs.Arg(0))
		return false
	}
	return true
}

func loadConfig(path, cmd string, stderr io.Writer) *bridge.Config {
	if path == "" {
		fmt.Fprintf(stderr, "hftipc-bridge %s: --config FILE is required\n", cmd)
		return nil
	}
	cfg, err := bridge.LoadConfig(path)
	if err != nil {
		fmt.Fprintf(stderr, "hftipc-bridge %s: %v\n", cmd, err)
		return nil
	}
	return cfg
}

func cmdRun(args []string, stderr io.Writer) int {
	fs := flags("run")
	cfgPath := fs.String("config", "", "")
	logFormat := fs.String("log-format", "text", "")
	if !parse(fs, args, stderr) {
		return 2
	}
	var h slog.Handler
	switch *logFormat {
	case "text":
		h = slog.NewTextHandler(stderr, nil)
	case "json":
		h = slog.NewJSONHandler(stderr, nil)
	default:
		fmt.Fprintf(stderr, "hftipc-bridge run: --log-format %q: want text or json\n", *logFormat)
		return 2
	}
	cfg := loadConfig(*cfgPath, "run", stderr)
	if cfg == nil {
		return 2
	}
	log := slog.New(h)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	log.Info("hftipc-bridge: starting", "version", bridge.Version, "pid", os.Getpid(),
		"out", len(cfg.Out), "in", len(cfg.In), "nats", strings.Join(cfg.NATS.URLs, ","))
	if err := bridge.New(cfg, log).Run(ctx); err != nil {
		log.Error("hftipc-bridge: stopped", "err", err)
		return 1
	}
	return 0
}

func cmdCheck(args []string, stdout, stderr io.Writer) int {
	fs := flags("check")
	cfgPath := fs.String("config", "", "")
	if !parse(fs, args, stderr) {
		return 2
	}
	cfg := loadConfig(*cfgPath, "check", stderr)
	if cfg == nil {
		return 2
	}
	if err := bridge.WriteConfig(stdout, cfg); err != nil {
		fmt.Fprintf(stderr, "hftipc-bridge check: %v\n", err)
		return 1
	}
	return 0
}

func cmdStatus(args []string, stdout, stderr io.Writer) int {
	fs := flags("status")
	addr := fs.String("addr", "127.0.0.1:9464", "")
	asJSON := fs.Bool("json", false, "")
	if !parse(fs, args, stderr) {
		return 2
	}
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + *addr + "/status")
	if err != nil {
		fmt.Fprintf(stderr, "hftipc-bridge status: cannot reach a bridge at %s: %v\n", *addr, err)
		return 3
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "hftipc-bridge status: %s: HTTP %d %v\n", *addr, resp.StatusCode, err)
		return 3
	}
	var st bridge.Status
	if err := json.Unmarshal(body, &st); err != nil {
		fmt.Fprintf(stderr, "hftipc-bridge status: %s did not answer with a bridge status: %v\n", *addr, err)
		return 3
	}
	if *asJSON {
		out, _ := st.MarshalIndent()
		fmt.Fprintln(stdout, string(out))
		return 0
	}
	conn := "disconnected"
	if st.NATS.Connected {
		conn = "connected to " + st.NATS.Server
	}
	fmt.Fprintf(stdout, "hftipc-bridge %s, pid %d, up %s; NATS %s, %d reconnects\n", st.Version, st.PID,
		time.Since(st.Started).Round(time.Second), conn, st.NATS.Reconnects)
	sort.Slice(st.Workers, func(i, j int) bool {
		return st.Workers[i].Direction+st.Workers[i].Name < st.Workers[j].Direction+st.Workers[j].Name
	})
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DIR\tNAME\tSTATE\tMESSAGES\tDUPLICATES\tIN-FLIGHT\tLAG\tNEXT-SEQ\tCHANNEL\tSUBJECT")
	for _, w := range st.Workers {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", w.Direction, w.Name, w.State,
			w.Messages, w.Duplicates, w.InFlight, w.Lag, w.NextSeq, w.Channel, w.Subject)
	}
	tw.Flush()
	return 0
}
