// Package gotrace gives the bench workloads a -trace FILE flag: when set,
// Start turns Go's own execution tracer (runtime/trace) on around the
// measured part and Stop turns it off and closes FILE, so `make bench` can
// compare gotl with the tracer Go ships. Without the flag both do nothing.
// With -wait, Start first prints "ready" and waits for a line on stdin, so
// that `make bench` can attach to the running workload (gotl record -p,
// gotl watch -p) before the measured part begins.
// It must not be used outside tests/bench/go, nor change what a workload does.
package gotrace

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"runtime/trace"
)

var (
	file = flag.String("trace", "", "write Go's execution trace of the measured part to this file")
	wait = flag.Bool("wait", false, "print \"ready\" and wait for a line on stdin before the measured part")
	f    *os.File
)

// Start starts the execution tracer if -trace was given (after flag.Parse).
func Start() {
	if *wait {
		fmt.Println("ready")
		if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
			fmt.Fprintln(os.Stderr, "wait:", err)
			os.Exit(1)
		}
	}
	if *file == "" {
		return
	}
	var err error
	if f, err = os.Create(*file); err != nil {
		fmt.Fprintln(os.Stderr, "trace:", err)
		os.Exit(1)
	}
	if err = trace.Start(f); err != nil {
		fmt.Fprintln(os.Stderr, "trace:", err)
		os.Exit(1)
	}
}

// Stop stops the tracer and closes the file; call it before printing results.
func Stop() {
	if f == nil {
		return
	}
	trace.Stop()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "trace:", err)
		os.Exit(1)
	}
}
