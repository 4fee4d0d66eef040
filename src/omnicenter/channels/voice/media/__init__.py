"""Media for voice calls: SDP, RTP/RTCP, G.711, DTMF, prompts and the 20 ms media clock."""
