// Package handlers is the deeply nested package of samples/deepinline: a
// request pipeline whose long chain of small stages the compiler inlines
// into a few physical frames.
package handlers

// CustomerAccountRecord is a request: a struct of many fields, whose shape
// names a generic instantiation in the binary's symbols.
type CustomerAccountRecord struct {
	AccountID         int64
	CustomerName      string
	EmailAddress      string
	BillingAddress    string
	ShippingAddress   string
	PhoneNumber       string
	PreferredLanguage string
	Tags              []string
	CreditLimitCents  int64
	Active            bool
}

// InvoiceLineItemRecord is what a pipeline hands back.
type InvoiceLineItemRecord struct {
	InvoiceID       int64
	LineNumber      int
	ProductSKU      string
	Description     string
	QuantityOrdered int
	UnitPriceCents  int64
	TaxRateBasis    int
	DiscountCode    string
}
