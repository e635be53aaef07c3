"""Resource types whose CloudFormation handling moto lacks or gets wrong, one module each."""
