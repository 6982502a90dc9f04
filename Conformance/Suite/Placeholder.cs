namespace Conformance.Suite;
