package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/gomlx/go-xla/pkg/installer"

	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/pjrt"
)

func cmdDevices(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("devices", "", stderr)
	backend := fs.String("backend", "", "backend to open: cpu|cuda|go|/abs/path/plugin.so (default: $BRAINC_BACKEND, else automatic)")
	devices := fs.Int("devices", 1, "virtual devices of the CPU plugin's client, as brainc run --devices N opens it (other plugins list the devices they find)")
	if _, err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if *devices < 1 || *devices > ir.MaxDevices {
		return &usageError{fmt.Sprintf("--devices: must be between 1 and %d, got %d", ir.MaxDevices, *devices)}
	}
	env := pjrt.DefaultEnv()
	b, err := pjrt.Open(pjrt.Options{Backend: *backend, Stderr: stderr, Env: &env, Devices: *devices})
	if err != nil {
		return err
	}
	defer b.Finalize()
	for _, c := range b.Tried {
		switch {
		case c.Kind == b.Kind && c.Skip == "":
			fmt.Fprintf(stdout, "%-5s  selected\n", c.Kind)
			if b.Path != "" {
				fmt.Fprintf(stdout, "       plugin  %s\n       PJRT    v%s\n", b.Path, b.PJRTVersion())
			}
			for i, d := range b.Devices() {
				fmt.Fprintf(stdout, "       device %d: %s\n", i, d)
			}
			if b.Path != "" {
				ops, why := jit.LoopOps(b, false)
				fmt.Fprintf(stdout, "       events  %s\n", ops)
				if why != "" {
					fmt.Fprintf(stdout, "               (no custom calls: %s)\n", why)
				}
				if len(b.Devices()) > 1 {
					fmt.Fprintf(stdout, "       split   runs across devices use %s on each device's share of the tables split by target\n", ops)
					if composed, _ := jit.LoopOps(b, true); composed != ops {
						fmt.Fprintf(stdout, "               (%s when a table stays whole: a block that does not divide)\n", composed)
					}
				}
			}
		case c.Skip == "":
			fmt.Fprintf(stdout, "%-5s  available, not selected (lower priority)\n", c.Kind)
		default:
			fmt.Fprintf(stdout, "%-5s  not used: %s\n", c.Kind, c.Skip)
		}
	}
	return nil
}

func cmdSetup(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("setup", "", stderr)
	timeout := fs.Duration("timeout", 90*time.Second, "give up on the download after this long")
	if _, err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	lib, err := installer.DefaultHomeLibPath()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- installer.CPUAutoInstall(lib+"/go-xla", true, installer.Quiet) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		err = fmt.Errorf("timed out after %s", *timeout)
	}
	if err != nil {
		return fmt.Errorf("go-xla's installer could not install the CPU PJRT plugin (it downloads from GitHub): %w", err)
	}
	fmt.Fprintf(stdout, "CPU PJRT plugin installed in %s/go-xla\n", lib)
	return nil
}
