// allocs allocates exactly known numbers of objects of distinctive types on
// one goroutine, then makes the garbage collector run: runtime.GC() a known
// number of times, and a burst of garbage with a low GOGC that makes the
// runtime start cycles of its own (and usually makes goroutines assist).
//
// Types (sizes on 64-bit):
//
//	Node    struct with pointers, 32 bytes
//	Vec3    pointer-free struct, 24 bytes
//	Mid     struct with pointers, 640 bytes: Go 1.22+ adds an 8-byte malloc header
//	Big     pointer-free, 40000 bytes: a large object (whole 8 KiB pages)
//	[]Level byte-sized elements of a distinctive type, 100..399 of them per slice
//	strings made by string(b) from 40-byte []byte values (untyped memory)
package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"unsafe"

	"gotl/samples/internal/truth"
)

type Node struct {
	next *Node
	val  int
	name string
}

type Vec3 struct{ X, Y, Z float64 }

type Mid struct{ p [80]*int }

type Big struct{ data [40000]byte }

type Level uint8

const (
	nNodes   = 1000
	nVecs    = 700
	nMids    = 50
	nBigs    = 20
	nLevels  = 300
	nStrings = 200
	nForced  = 3
)

// Kept alive (and escaping) through these; sized up front so that appending
// never allocates in the measured phase.
var (
	nodes   = make([]*Node, 0, nNodes)
	vecs    = make([]*Vec3, 0, nVecs)
	mids    = make([]*Mid, 0, nMids)
	bigs    = make([]*Big, 0, nBigs)
	levels  = make([][]Level, 0, nLevels)
	strs    = make([]string, 0, nStrings)
	garbage []byte
)

func allocNodes() {
	for i := 0; i < nNodes; i++ {
		nodes = append(nodes, &Node{val: i})
	}
}

func allocVecs() {
	for i := 0; i < nVecs; i++ {
		vecs = append(vecs, &Vec3{X: float64(i)})
	}
}

func allocMids() {
	for i := 0; i < nMids; i++ {
		mids = append(mids, new(Mid))
	}
}

func allocBigs() {
	for i := 0; i < nBigs; i++ {
		bigs = append(bigs, new(Big))
	}
}

func allocLevels() {
	for i := 0; i < nLevels; i++ {
		levels = append(levels, make([]Level, 100+i))
	}
}

func makeStrings(b []byte) {
	for i := 0; i < nStrings; i++ {
		b[0] = byte(i)
		strs = append(strs, string(b))
	}
}

// churn allocates n MiB of short-lived garbage in 4 KiB pieces.
func churn(n int) {
	for i := 0; i < n*256; i++ {
		garbage = make([]byte, 4096)
	}
}

func assistSeconds() float64 {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/mark/assist:cpu-seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64 {
		return -1 // Go < 1.20: no such metric
	}
	return s[0].Value.Float64()
}

func main() {
	// No collection but the ones asked for, until the churn phase.
	debug.SetGCPercent(-1)
	strBuf := make([]byte, 40)

	done := make(chan uint64)
	go func() {
		g := truth.Goid()
		allocNodes()
		allocVecs()
		allocMids()
		allocBigs()
		allocLevels()
		makeStrings(strBuf)
		done <- g
	}()
	allocGoid := <-done

	for i := 0; i < nForced; i++ {
		runtime.GC()
	}
	// The runtime's own cycles: a low GOGC and 16 MiB of garbage.
	debug.SetGCPercent(10)
	churn(16)
	debug.SetGCPercent(-1)
	runtime.GC() // waits for any cycle in progress, then one more
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)

	truth.Print(truth.Fields{
		"sample":     "allocs",
		"main_goid":  truth.Goid(),
		"alloc_goid": allocGoid,
		"types": []truth.Fields{
			{"name": "main.Node", "count": nNodes, "size": unsafe.Sizeof(Node{}), "pointers": true},
			{"name": "main.Vec3", "count": nVecs, "size": unsafe.Sizeof(Vec3{}), "pointers": false},
			{"name": "main.Mid", "count": nMids, "size": unsafe.Sizeof(Mid{}), "pointers": true},
			{"name": "main.Big", "count": nBigs, "size": unsafe.Sizeof(Big{}), "pointers": false},
		},
		"levels":        nLevels, // slices of 100, 101, ... elements
		"level_name":    "[]main.Level",
		"strings":       nStrings,
		"string_size":   len(strBuf),
		"string_class":  "untyped (main.makeStrings)",
		"forced_gcs":    nForced + 1,
		"num_gc":        ms.NumGC,
		"num_forced_gc": ms.NumForcedGC,
		"assist_s":      assistSeconds(),
		"go":            runtime.Version(),
	})
}
