// Command brainc simulates and compiles spiking brain models on XLA.
//
//	brainc run SPEC|MODEL      simulate a network, write spikes, summary and raster
//	brainc compile SPEC|MODEL  write the compiled StableHLO programs and a manifest
//	brainc train SPEC|NAME     train a spiking classifier (surrogate gradients, BPTT)
//	brainc bench scale         COBA at 4k…4M neurons: time, events/s, memory
//	brainc validate SPEC       check a spec file and lower it (no compile)
//	brainc cache info|clear    show or empty the disk cache of compiled programs
//	brainc devices             list the backends found and why others were not
//	brainc setup               install the CPU PJRT plugin with go-xla's installer
//
// Run `brainc help COMMAND` for a command's flags.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"github.com/brainc/brainc/artifact"
)

// command is one subcommand of the CLI.
type command struct {
	name, args, summary string
	run                 func(args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"run", "SPEC|MODEL", "simulate a network; writes spikes.npz, summary.json, raster.png", cmdRun},
		{"sweep", "SPEC|MODEL", "run every combination of --set values and --seeds; writes summary.csv, summary.npz, sweep.png, run-NNNN/", cmdSweep},
		{"compile", "SPEC|MODEL", "write the StableHLO programs, manifest.json and state0.npz; --explain prints the plan", cmdCompile},
		{"train", "SPEC|NAME", "train a spiking classifier by BPTT; writes metrics.jsonl, params.npz, summary.json, training.png", cmdTrain},
		{"bench", "scale", "COBA at growing sizes (in-degree 80): wall time, steps/s, synaptic events/s, memory", cmdBench},
		{"validate", "SPEC", "parse, check and lower a spec file (nothing is compiled)", cmdValidate},
		{"models", "", "list built-in networks and model families with their parameters", cmdModels},
		{"cache", "info|clear", "show or empty the disk cache of compiled programs (~/.cache/brainc/executables)", cmdCache},
		{"devices", "", "list the backends found (plugin, PJRT version, devices) and why others were not", cmdDevices},
		{"setup", "", "install the CPU PJRT plugin with go-xla's own installer (needs GitHub)", cmdSetup},
		{"version", "", "print brainc's version", cmdVersion},
	}
}

func cmdVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", "", stderr)
	if _, err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	fmt.Fprintln(stdout, artifact.Version)
	return nil
}

// usageError marks errors caused by the command line itself (exit code 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func main() {
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
}

// Main runs the CLI with args and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" && len(args) == 1 {
		usage(stdout)
		return 0
	}
	name, rest := args[0], args[1:]
	if name == "help" {
		name, rest = args[1], []string{"--help"}
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		useDiskCache(stderr)
		err := c.run(rest, stdout, stderr)
		if err == nil || errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "brainc %s: %v\n", name, err)
		var ue *usageError
		if errors.As(err, &ue) {
			return 2
		}
		var ie *interruptedError
		if errors.As(err, &ie) {
			return exitInterrupted
		}
		return 1
	}
	fmt.Fprintf(stderr, "brainc: unknown command %q\n", name)
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "brainc: a differentiable brain simulator compiled to XLA")
	fmt.Fprintln(w, "\nUsage: brainc COMMAND [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %-11s %s\n", c.name, c.args, c.summary)
	}
	fmt.Fprintln(w, "\nRun `brainc COMMAND --help` for a command's flags.")
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name, args string, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: brainc %s %s [flags]\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and checks the number of positional arguments.
func parseFlags(fs *pflag.FlagSet, args []string, wantPositional int) ([]string, error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{err.Error()}
	}
	if fs.NArg() != wantPositional {
		return nil, &usageError{fmt.Sprintf("expected %d argument(s), got %d %q", wantPositional, fs.NArg(), fs.Args())}
	}
	return fs.Args(), nil
}
