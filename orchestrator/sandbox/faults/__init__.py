"""Fault injection: the engine answers a fraction of client API calls as AWS does when it throttles
or fails (`firefly sandbox up --faults throttle=0.3,error=0.05,seed=7`), so that firefly's retries
are exercised without an AWS account.

`spec` parses the setting and draws each call's fate; `answers` holds what each AWS protocol
answers; `middleware` sits in front of moto's WSGI app and decides which calls are eligible.
"""
