# -*- encoding: utf-8 -*-
# stub: pstore 0.1.1 ruby lib

Gem::Specification.new do |s|
  s.name = "pstore".freeze
  s.version = "0.1.1"

  s.required_rubygems_version = Gem::Requirement.new(">= 0".freeze) if s.respond_to? :required_rubygems_version=
  s.metadata = { "homepage_uri" => "https://github.com/ruby/pstore", "source_code_uri" => "https://github.com/ruby/pstore" } if s.respond_to? :metadata=
  s.require_paths = ["lib".freeze]
  s.authors = ["Yukihiro Matsumoto".freeze]
  s.bindir = "exe".freeze
  s.date = "2026-11-21"
  s.description = "Transactional File Storage for Ruby Objects".freeze
  s.email = ["matz@ruby-lang.org".freeze]
  s.files = ["lib/pstore.rb".freeze]
  s.homepage = "https://github.com/ruby/pstore".freeze
  s.licenses = ["Ruby".freeze, "BSD-2-Clause".freeze]
  s.rubygems_version = "3.3.7".freeze
  s.summary = "Transactional File Storage for Ruby Objects".freeze
end
