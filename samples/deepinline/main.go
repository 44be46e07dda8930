// deepinline: goroutines that block under a long chain of small methods
// with long names in a deeply nested package (generic ones from Go 1.21),
// the kind generated and layered code has. The compiler inlines the chain
// into a few physical frames, each standing for a dozen source frames or
// more (more still with -gcflags=all=-l=4): what a stack walk must turn
// back into source frames. main waits until every worker is parked, takes
// the runtime's own traceback of the workers as the truth about where they
// are, and exits with them still blocked.
package main

import (
	"bytes"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"gotl/samples/internal/company/platform/services/orderfulfilment/core/requestpipeline/stages/validationandaudit/handlers"
	"gotl/samples/internal/truth"
)

const nworkers = 3

var (
	workers    truth.IDs
	registered sync.WaitGroup
	goFile     string
	goLine     int
)

// frame is one line pair of a goroutine's traceback.
type frame struct {
	Func string `json:"func"`
	File string `json:"file"`
	Line int    `json:"line"`
}

// tracebacks returns the frames of every goroutine the runtime shows as
// blocked in a channel receive, by goid, innermost first.
func tracebacks() map[uint64][]frame {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	out := map[uint64][]frame{}
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		lines := strings.Split(string(g), "\n")
		var id uint64
		if n, err := fmt.Sscanf(lines[0], "goroutine %d [chan receive", &id); n != 1 || err != nil {
			continue
		}
		var fr []frame
		for i := 1; i+1 < len(lines); i += 2 {
			fn := lines[i]
			if p := strings.LastIndexByte(fn, '('); p > 0 {
				fn = fn[:p]
			}
			if strings.HasPrefix(fn, "created by ") {
				break
			}
			pos := strings.Fields(strings.TrimSpace(lines[i+1]))[0]
			c := strings.LastIndexByte(pos, ':')
			line, _ := strconv.Atoi(pos[c+1:])
			fr = append(fr, frame{fn, pos[:c], line})
		}
		out[id] = fr
	}
	return out
}

func main() {
	in := make(chan handlers.InvoiceLineItemRecord)
	registered.Add(nworkers)
	for i := 0; i < nworkers; i++ {
		goFile, goLine = truth.Here()
		go func() {
			workers.Add(truth.Goid())
			registered.Done()
			handlers.StartPipeline(in) // blocks for good under the chain
		}()
	}
	registered.Wait()

	// Until every worker is parked in its receive (at most 2 s).
	var tb map[uint64][]frame
	for t0 := time.Now(); time.Since(t0) < 2*time.Second; time.Sleep(5 * time.Millisecond) {
		tb = tracebacks()
		parked := 0
		for _, id := range workers.List() {
			if len(tb[id]) > 0 {
				parked++
			}
		}
		if parked == nworkers {
			break
		}
	}
	time.Sleep(50 * time.Millisecond)
	ids := workers.List()
	fmt.Println("blocked workers:", ids)
	truth.Print(truth.Fields{
		"sample":      "deepinline",
		"main_goid":   truth.Goid(),
		"workers":     ids,
		"wait_reason": "chan receive",
		"go_file":     goFile,
		"go_line":     goLine + 1,
		"stack":       tb[ids[0]],
	})
}
