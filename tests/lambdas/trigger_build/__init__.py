"""trigger-build (seed 003) over moto: DynamoDB Streams records to Step Functions executions."""
