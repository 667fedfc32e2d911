#pragma once
// A message_queue's own mutex, reached through a second mapping of the
// queue's shared memory: Boost 1.74 keeps it private, in the header
// (ipcdetail::mq_hdr_t) at the start of the queue's user memory.  The
// producer's watchdog needs it to release a mutex that a dead consumer left
// locked (interprocess_mutex is not robust before Boost 1.78), and the
// tests' lock holder to lock it as a consumer dying inside the queue would.
#include <boost/date_time/posix_time/posix_time_types.hpp>
#include <boost/interprocess/ipc/message_queue.hpp>
#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <chrono>
#include <string>

namespace ipc::transport::boost_interprocess {

// An absolute time `wait` from now, as Boost 1.74's timed calls take it.
inline boost::posix_time::ptime after(std::chrono::milliseconds wait) {
  return boost::posix_time::microsec_clock::universal_time() + boost::posix_time::milliseconds(wait.count());
}

class QueueMutex {
 public:
  // Maps the queue `name` (which must still have its name).  Throws
  // boost::interprocess::interprocess_exception when it cannot.
  explicit QueueMutex(const std::string& name)
      : region_(boost::interprocess::shared_memory_object(boost::interprocess::open_only, name.c_str(),
                                                          boost::interprocess::read_write),
                boost::interprocess::read_write) {}

  [[nodiscard]] boost::interprocess::interprocess_mutex& get() noexcept {
    using Header = boost::interprocess::ipcdetail::mq_hdr_t<boost::interprocess::offset_ptr<void>>;
    using Memory = boost::interprocess::ipcdetail::managed_open_or_create_impl<
        boost::interprocess::shared_memory_object, 0, true, false>;
    return static_cast<Header*>(
               static_cast<void*>(static_cast<char*>(region_.get_address()) + Memory::ManagedOpenOrCreateUserOffset))
        ->m_mutex;
  }

 private:
  boost::interprocess::mapped_region region_;
};

}  // namespace ipc::transport::boost_interprocess
