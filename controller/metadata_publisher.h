// File: controller/metadata_publisher.h
// A node's published metadata: the image as of the last record this node applied, and the
// components that want to hear of each change (Kafka's MetadataLoader and its publishers).
// Broker code reads metadata only from here, never from the controller: on a node that is not
// the active controller the image comes from replaying the replicated metadata log, and the
// readers must not care which.
//
// Thread-safety: image() from any thread; publish() from the one thread that applies records,
// which also runs the subscribers, in order, after the image is visible.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "controller/metadata_image.h"

namespace keel::controller {

class MetadataPublisher {
 public:
  using Subscriber =
      std::function<void(const MetadataDelta& delta, std::shared_ptr<const MetadataImage> image)>;

  MetadataPublisher() : image_(std::make_shared<const MetadataImage>()) {}

  std::shared_ptr<const MetadataImage> image() const {
    std::lock_guard lock(mu_);
    return image_;
  }

  // Called with every change published from now on. To learn the state so far, read image()
  // after subscribing.
  void subscribe(Subscriber subscriber) {
    std::lock_guard lock(mu_);
    subscribers_.push_back(std::move(subscriber));
  }

  // Makes `image` (= `delta` applied) current, then tells the subscribers.
  void publish(const MetadataDelta& delta, std::shared_ptr<const MetadataImage> image) {
    std::vector<Subscriber> to_call;
    {
      std::lock_guard lock(mu_);
      image_ = image;
      to_call = subscribers_;
    }
    for (const Subscriber& s : to_call) s(delta, image);
  }

  // Replaces the image without telling anyone (the state loaded at start-up).
  void reset(std::shared_ptr<const MetadataImage> image) {
    std::lock_guard lock(mu_);
    image_ = std::move(image);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const MetadataImage> image_;
  std::vector<Subscriber> subscribers_;
};

}  // namespace keel::controller
