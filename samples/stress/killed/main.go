// killed dies of a signal, the way named by its argument, while goroutines
// are running, blocked and in system calls:
//
//	term   SIGTERM sent to itself, no handler: the default action kills it
//	kill   SIGKILL sent to itself from a goroutine other than main
//	abort  a panic with GOTRACEBACK=crash (set by debug.SetTraceback): the
//	       runtime prints every goroutine's stack and raises SIGABRT
//	segv   SIGSEGV sent with tgkill to a thread blocked in a raw system
//	       call: the runtime's handler takes it as fatal, prints
//	       "SIGSEGV: segmentation violation" and the thread's registers and
//	       exits with status 2 (a Go program never dies of SIGSEGV itself:
//	       the runtime handles every one)
//
// stdout is deterministic and ends with the truth line, printed before the
// signal. It must never exit normally: if it is still alive a second after
// its signal, it says so on stderr and exits 1.
package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"gotl/samples/internal/truth"
)

var signals = map[string]syscall.Signal{
	"term": syscall.SIGTERM, "kill": syscall.SIGKILL, "abort": syscall.SIGABRT,
	"segv": syscall.SIGSEGV,
}

func main() {
	how := "term"
	if len(os.Args) > 1 {
		how = os.Args[1]
	}
	sig, ok := signals[how]
	if !ok {
		fmt.Fprintf(os.Stderr, "killed: unknown way to die %q\n", how)
		os.Exit(64)
	}
	// Background activity the signal interrupts: blocked, busy and in syscalls.
	block := make(chan struct{})
	var ready sync.WaitGroup
	for i := 0; i < 100; i++ {
		ready.Add(1)
		go func() {
			ready.Done()
			<-block
		}()
	}
	ready.Wait()
	go func() {
		for {
			time.Sleep(100 * time.Microsecond)
		}
	}()
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		panic(err)
	}
	tids := make(chan int)
	go func() {
		// A raw read on a pipe nobody writes to: the thread stays in the
		// kernel (no netpoller), the runtime hands its P to another.
		tids <- syscall.Gettid()
		var b [1]byte
		syscall.Read(p[0], b[:])
	}()
	readerTid := <-tids
	time.Sleep(20 * time.Millisecond)

	fmt.Printf("killed: dying of SIG%s (%d)\n", map[string]string{"term": "TERM",
		"kill": "KILL", "abort": "ABRT", "segv": "SEGV"}[how], int(sig))
	truth.Print(truth.Fields{
		"sample":    "killed",
		"main_goid": truth.Goid(),
		"how":       how,
		"signal":    int(sig),
	})
	switch how {
	case "term":
		syscall.Kill(os.Getpid(), syscall.SIGTERM)
	case "kill":
		done := make(chan struct{})
		go func() {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			close(done)
		}()
		<-done
	case "abort":
		debug.SetTraceback("crash")
		var m map[int]int
		m[0]++ // panics; with GOTRACEBACK=crash the runtime aborts
	case "segv":
		syscall.Tgkill(os.Getpid(), readerTid, syscall.SIGSEGV)
	}
	time.Sleep(time.Second)
	fmt.Fprintf(os.Stderr, "killed: still alive a second after SIG%d\n", int(sig))
	os.Exit(1)
}
