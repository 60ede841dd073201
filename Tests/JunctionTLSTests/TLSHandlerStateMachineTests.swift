import Testing
@testable import JunctionTLS

@Suite("TLSHandlerStateMachine")
struct TLSHandlerStateMachineTests {
    @Test("a flush during the handshake is remembered and performed on completion")
    func deferredFlush() {
        var machine = TLSHandlerStateMachine()
        #expect(machine.write() == .buffer)
        #expect(machine.flush() == .deferUntilHandshakeCompletes)
        #expect(machine.channelActive() == .startHandshake)
        #expect(machine.channelActive() == .none)
        #expect(machine.handshakeCompleted() == .completed(flush: true))
        #expect(machine.isActive)
        #expect(machine.flush() == .encryptAndFlush)
    }

    @Test("without a pending flush the completed handshake flushes nothing")
    func noPendingFlush() {
        var machine = TLSHandlerStateMachine()
        _ = machine.channelActive()
        #expect(machine.handshakeCompleted() == .completed(flush: false))
        #expect(machine.handshakeCompleted() == .none)
    }

    @Test("close during the handshake closes at once; when active it sends close_notify")
    func close() {
        var handshaking = TLSHandlerStateMachine()
        _ = handshaking.channelActive()
        #expect(handshaking.close() == .closeNow)
        #expect(handshaking.write() == .fail)
        #expect(handshaking.close() == .forward)

        var active = TLSHandlerStateMachine()
        _ = active.channelActive()
        _ = active.handshakeCompleted()
        #expect(active.close() == .sendCloseNotifyThenClose)
        #expect(active.write() == .fail)
        #expect(active.flush() == .none)
        #expect(active.closeNotifyReceived() == .close)
    }

    @Test("close_notify from the peer is answered once")
    func closeNotify() {
        var machine = TLSHandlerStateMachine()
        _ = machine.channelActive()
        #expect(machine.closeNotifyReceived() == .none)
        _ = machine.handshakeCompleted()
        #expect(machine.closeNotifyReceived() == .replyAndClose)
        #expect(machine.closeNotifyReceived() == .close)
    }

    @Test("failure and timeout act once; the timeout is ignored after the handshake")
    func failureAndTimeout() {
        var machine = TLSHandlerStateMachine()
        _ = machine.channelActive()
        #expect(machine.handshakeTimedOut() == .failAndClose)
        #expect(machine.failed() == .none)
        #expect(machine.channelInactive() == .cleanUp)

        var completed = TLSHandlerStateMachine()
        _ = completed.channelActive()
        _ = completed.handshakeCompleted()
        #expect(completed.handshakeTimedOut() == .none)
        #expect(completed.failed() == .failAndClose)
        #expect(completed.failed() == .none)
    }

    @Test("inactive during the handshake is reported; otherwise it only cleans up")
    func inactive() {
        var handshaking = TLSHandlerStateMachine()
        _ = handshaking.channelActive()
        #expect(handshaking.channelInactive() == .reportHandshakeAbortedAndCleanUp)

        var idle = TLSHandlerStateMachine()
        #expect(idle.channelInactive() == .cleanUp)
    }
}
