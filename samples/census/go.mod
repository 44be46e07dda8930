module gotl/samples/census

go 1.18
