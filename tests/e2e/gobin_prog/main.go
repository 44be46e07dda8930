// Test program for tests/e2e/test_gobin.py: prints, for PCs captured with
// runtime.Callers (some inside inlined functions), the frames the Go runtime
// itself reports, and the run-time address of main.main so that a PIE load
// bias can be subtracted. It must not depend on anything outside the std lib.
package main

import (
	"fmt"
	"os"
	"reflect"
	"runtime"
	"sync"
	"time"
)

var sink int

// inner and middle are small enough to be inlined: outer's call site expands
// to outer -> middle -> inner -> (runtime.Callers), 3+ frames at one PC.
func inner(pcs []uintptr) int {
	return runtime.Callers(1, pcs)
}

func middle(pcs []uintptr) int {
	return inner(pcs)
}

//go:noinline
func outer(pcs []uintptr) int {
	sink += 3
	n := middle(pcs)
	return n
}

type worker struct{ mu sync.Mutex }

//go:noinline
func (w *worker) run(pcs []uintptr) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return runtime.Callers(1, pcs)
}

func report(tag string, pcs []uintptr) {
	for _, pc := range pcs {
		fr, _ := runtime.CallersFrames([]uintptr{pc}).Next()
		fmt.Printf("pc\t%s\t%#x\t%s\t%s\t%d\n", tag, pc, fr.Function, fr.File, fr.Line)
	}
}

func main() {
	extra()
	fmt.Printf("mainaddr\t%#x\n", reflect.ValueOf(main).Pointer())

	pcs := make([]uintptr, 32)
	n := outer(pcs)
	report("inline", pcs[:n])

	var wg sync.WaitGroup
	out := make(chan []uintptr, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(time.Millisecond)
		p := make([]uintptr, 32)
		w := &worker{}
		m := w.run(p)
		out <- p[:m]
	}()
	wg.Wait()
	report("goroutine", <-out)
	if sink == 0 {
		os.Exit(2)
	}
}
