//! The client's one budget of connections, as conversations: operations ask, the scheduler
//! grants in turn, requests end and free their connections.

use oss_browser_upload::engine::scheduler::Scheduler;

const HOST: &str = "https://bucket.oss-cn-hangzhou.aliyuncs.com";

#[test]
fn forty_uploads_share_six_connections_in_the_order_they_started() {
    let mut s = Scheduler::new(6);
    // Forty uploads of five parts in flight each, started together.
    let mut asked: Vec<(u64, u64)> = vec![];
    for op in 1..=40 {
        for _ in 0..5 {
            asked.push((s.ask(op, HOST, false), op));
        }
    }
    let op_of = |ticket: u64| asked.iter().find(|(t, _)| *t == ticket).map(|(_, op)| *op);
    let mut running = s.grant();
    assert_eq!(running.len(), 6, "never more than the budget in flight");
    let ops: Vec<_> = running.iter().map(|t| op_of(*t)).collect();
    assert_eq!(ops, [Some(1), Some(1), Some(1), Some(1), Some(1), Some(2)]);
    let mut finished_order = vec![];
    while !running.is_empty() {
        // The oldest request ends; its connection goes to the earliest upload waiting.
        let done = running.remove(0);
        finished_order.push(op_of(done).unwrap());
        s.release(done);
        let granted = s.grant();
        assert!(granted.len() <= 1);
        running.extend(granted);
        assert!(running.len() <= 6);
    }
    let mut sorted = finished_order.clone();
    sorted.sort();
    assert_eq!(finished_order, sorted, "uploads finish one after another");
    assert_eq!(s.grant(), Vec::<u64>::new(), "nothing left waiting");
}

#[test]
fn a_request_waits_for_a_connection_and_an_earlier_upload_s_next_part_goes_first() {
    let mut s = Scheduler::new(2);
    let a1 = s.ask(1, HOST, false);
    let a2 = s.ask(1, HOST, false);
    let b1 = s.ask(2, HOST, false);
    assert_eq!(s.grant(), [a1, a2]);
    assert_eq!(s.grant(), Vec::<u64>::new(), "b1 waits: nothing free");
    // Upload 1's part ends and it asks for its next part before the connection is handed on.
    s.release(a1);
    let a3 = s.ask(1, HOST, false);
    assert_eq!(s.grant(), [a3], "the earlier upload first");
    s.release(a2);
    assert_eq!(s.grant(), [b1]);
}

#[test]
fn each_origin_has_its_own_budget() {
    let mut s = Scheduler::new(1);
    let a = s.ask(1, HOST, false);
    let other = s.ask(1, "https://other.oss-cn-hangzhou.aliyuncs.com", false);
    let b = s.ask(1, HOST, false);
    assert_eq!(s.grant(), [a, other]);
    s.release(a);
    assert_eq!(s.grant(), [b]);
}

#[test]
fn an_operation_that_ends_withdraws_what_it_still_waits_for() {
    let mut s = Scheduler::new(1);
    let a = s.ask(1, HOST, false);
    let b = s.ask(1, HOST, false);
    let c = s.ask(2, HOST, false);
    assert_eq!(s.grant(), [a]);
    assert_eq!(s.withdraw(1), [b]);
    s.release(a);
    assert_eq!(s.grant(), [c]);
}

#[test]
fn a_one_request_call_goes_before_the_uploads_next_parts() {
    // Two uploads fill the budget; a head() or an abort made later must not wait for them.
    let mut s = Scheduler::new(2);
    let a = s.ask(1, HOST, false);
    let b = s.ask(2, HOST, false);
    assert_eq!(s.grant(), [a, b]);
    let a2 = s.ask(1, HOST, false);
    let head = s.ask(3, HOST, true);
    s.release(a);
    assert_eq!(s.grant(), [head]);
    s.release(b);
    assert_eq!(s.grant(), [a2]);
}
