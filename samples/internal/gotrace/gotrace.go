// Package gotrace gives a sample a -trace FILE flag: Go's own execution
// tracer (runtime/trace) records the run into FILE, so that the fidelity
// tests (tests/e2e/run_fidelity.py) can compare gotl's trace of the same run
// with it. Without the flag it does nothing; it must not change what a
// sample does otherwise.
package gotrace

import (
	"flag"
	"fmt"
	"os"
	"runtime/trace"
)

var file = flag.String("trace", "", "also write Go's execution trace of the run to this file")

// Start parses the command line and starts the tracer if -trace was given.
// It returns the function that stops it and closes the file: call it before
// printing the truth line.
func Start() func() {
	flag.Parse()
	if *file == "" {
		return func() {}
	}
	f, err := os.Create(*file)
	if err == nil {
		err = trace.Start(f)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "trace:", err)
		os.Exit(1)
	}
	return func() {
		trace.Stop()
		if err := f.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "trace:", err)
			os.Exit(1)
		}
	}
}
