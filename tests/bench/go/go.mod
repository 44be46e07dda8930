module gotl/bench

go 1.17
