"""The phone line: SIP endpoint, the calls behind it, the flow IVR, recordings."""
