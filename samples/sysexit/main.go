// sysexit sleeps in the kernel (syscall.Nanosleep) longer than the runtime
// lets a P wait for a goroutine in a system call, so the P is taken away
// (sysmon's retake) and each call is left without one: the goroutine waits
// for a P before it runs again. First with a P free, which it gets at once;
// then with GOMAXPROCS=1 and a goroutine spinning on the only P, so that it
// waits, runnable, until the spinner is preempted.
package main

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"

	"gotl/samples/internal/gotrace"
	"gotl/samples/internal/truth"
)

const nfree, nbusy = 6, 4

func nap() {
	ts := syscall.NsecToTimespec(int64(15 * time.Millisecond))
	syscall.Nanosleep(&ts, nil)
}

func main() {
	stopTrace := gotrace.Start() // -trace FILE: Go's own tracer too
	for i := 0; i < nfree; i++ {
		nap()
	}
	runtime.GOMAXPROCS(1)
	var stop int32
	var spinner uint64
	done := make(chan struct{})
	go func() {
		spinner = truth.Goid()
		for atomic.LoadInt32(&stop) == 0 {
		}
		close(done)
	}()
	for i := 0; i < nbusy; i++ {
		nap()
	}
	atomic.StoreInt32(&stop, 1)
	<-done
	fmt.Println("slept", nfree+nbusy, "times in the kernel")
	stopTrace()
	truth.Print(truth.Fields{
		"sample":       "sysexit",
		"main_goid":    truth.Goid(),
		"spinner_goid": spinner,
		"naps":         nfree + nbusy,
	})
}
